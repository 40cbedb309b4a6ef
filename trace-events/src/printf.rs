//! C `printf` rendering of trace formats (to be written).

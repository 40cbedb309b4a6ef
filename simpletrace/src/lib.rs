//! Reader for QEMU simple traces (format version 4).

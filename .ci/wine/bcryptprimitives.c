/*
 * bcryptprimitives.dll for Wine 8.0 (Debian 12), which lacks one: Rust's
 * standard library (1.78 and later) takes its random bytes (HashMap keys)
 * from ProcessPrng in bcryptprimitives.dll, so without this DLL no Rust
 * program starts under that Wine ("bcryptprimitives.dll not found").
 * ProcessPrng over RtlGenRandom (SystemFunction036 in advapi32), which
 * Wine has. Built by .ci/run with x86_64-w64-mingw32-gcc into the Wine
 * prefix's system32; never committed as a binary.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}

/* A stand-in for bcryptprimitives.dll, which wine 8 lacks: Rust's std (1.78 and later) imports
 * ProcessPrng from it for random numbers, so without it no Rust program starts under wine.
 * ProcessPrng fills the buffer and always succeeds; this one forwards to RtlGenRandom
 * (SystemFunction036 in advapi32), which wine has, and ends the process if that ever fails.
 *
 * Built by tests/wine.rs at test time and copied into the test prefix's system32:
 *   x86_64-w64-mingw32-gcc -shared -O2 -s -o bcryptprimitives.dll processprng.c -ladvapi32
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            ExitProcess(0xC0000001); /* STATUS_UNSUCCESSFUL: never hand out unfilled bytes */
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}

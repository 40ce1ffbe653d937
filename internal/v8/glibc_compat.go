package v8

/*
// V8's prebuilt static library is compiled against glibc >= 2.38, which
// redirects strtol & co. and sscanf/fscanf to their C23 variants. Debian 12
// ships glibc 2.36, so provide weak aliases: a newer glibc's strong symbols
// win at link time and these are then unused. The C23 variants differ only in
// accepting "0b" prefixes, which V8 and ICU never rely on.
#include <stdlib.h>
#include <stdio.h>
#include <stdarg.h>
__attribute__((weak)) long __isoc23_strtol(const char *s, char **e, int b) { return strtol(s, e, b); }
__attribute__((weak)) unsigned long __isoc23_strtoul(const char *s, char **e, int b) { return strtoul(s, e, b); }
__attribute__((weak)) long long __isoc23_strtoll(const char *s, char **e, int b) { return strtoll(s, e, b); }
__attribute__((weak)) unsigned long long __isoc23_strtoull(const char *s, char **e, int b) { return strtoull(s, e, b); }
__attribute__((weak)) int __isoc23_sscanf(const char *s, const char *f, ...) { va_list ap; va_start(ap, f); int r = vsscanf(s, f, ap); va_end(ap); return r; }
__attribute__((weak)) int __isoc23_fscanf(FILE *s, const char *f, ...) { va_list ap; va_start(ap, f); int r = vfscanf(s, f, ap); va_end(ap); return r; }
*/
import "C"

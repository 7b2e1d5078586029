/*
 * banned.h - functions capfix must not use (git's banned.h idea): each use
 * becomes a compile error naming the function.
 */
#ifndef CAPFIX_BANNED_H
#define CAPFIX_BANNED_H

#define CF_BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) CF_BANNED(strcpy)
#undef strcat
#define strcat(x, y) CF_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) CF_BANNED(strncpy)
#undef sprintf
#define sprintf(...) CF_BANNED(sprintf)
#undef strtok
#define strtok(x, y) CF_BANNED(strtok)

#endif

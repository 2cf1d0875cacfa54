// Typed wrappers around libcurl's variadic functions, which Swift cannot call directly.
#ifndef WIDASH_CCURL_SHIM_H
#define WIDASH_CCURL_SHIM_H
#include <curl/curl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The calling thread's kernel id (glibc's gettid() is not visible to Swift on every libc). */
static inline long widash_gettid(void) { return syscall(SYS_gettid); }

static inline CURLcode widash_curl_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode widash_curl_setopt_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode widash_curl_setopt_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode widash_curl_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode widash_curl_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode widash_curl_setopt_blob(CURL *h, CURLoption o, struct curl_blob *v) { return curl_easy_setopt(h, o, v); }
typedef size_t (*widash_curl_data_cb)(char *, size_t, size_t, void *);
static inline CURLcode widash_curl_setopt_datacb(CURL *h, CURLoption o, widash_curl_data_cb v) { return curl_easy_setopt(h, o, v); }
typedef int (*widash_curl_xferinfo_cb)(void *, curl_off_t, curl_off_t, curl_off_t, curl_off_t);
static inline CURLcode widash_curl_setopt_xferinfocb(CURL *h, CURLoption o, widash_curl_xferinfo_cb v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode widash_curl_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode widash_curl_getinfo_double(CURL *h, CURLINFO i, double *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode widash_curl_getinfo_string(CURL *h, CURLINFO i, char **v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode widash_curl_getinfo_certinfo(CURL *h, struct curl_certinfo **v) { return curl_easy_getinfo(h, CURLINFO_CERTINFO, v); }
#endif

// Typed wrappers for libcurl's variadic calls (Swift cannot call C variadics) and for macros that do not import.
#ifndef KALLAD_CCURL_SHIM_H
#define KALLAD_CCURL_SHIM_H

#include <curl/curl.h>
#include <stdint.h>

typedef size_t (*kallad_curl_data_callback)(char *, size_t, size_t, void *);

static inline CURLcode kallad_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode kallad_curl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode kallad_curl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode kallad_curl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode kallad_curl_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode kallad_curl_setopt_callback(CURL *handle, CURLoption option, kallad_curl_data_callback value) {
    return curl_easy_setopt(handle, option, value);
}
typedef int (*kallad_curl_debug_callback)(CURL *, curl_infotype, char *, size_t, void *);
static inline CURLcode kallad_curl_setopt_debug(CURL *handle, kallad_curl_debug_callback value) {
    return curl_easy_setopt(handle, CURLOPT_DEBUGFUNCTION, value);
}
static inline CURLcode kallad_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLcode kallad_curl_getinfo_double(CURL *handle, CURLINFO info, double *value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLcode kallad_curl_getinfo_pointer(CURL *handle, CURLINFO info, void **value) {
    return curl_easy_getinfo(handle, info, (char **)value);
}
static inline CURLMcode kallad_curl_multi_setopt_long(CURLM *multi, CURLMoption option, long value) {
    return curl_multi_setopt(multi, option, value);
}
/// The easy handle a finished-transfer message is about, and its result (a union member in C).
static inline CURL *kallad_curl_msg_handle(CURLMsg *message) { return message->easy_handle; }
static inline int kallad_curl_msg_is_done(CURLMsg *message) { return message->msg == CURLMSG_DONE; }
static inline CURLcode kallad_curl_msg_result(CURLMsg *message) { return message->data.result; }
#endif

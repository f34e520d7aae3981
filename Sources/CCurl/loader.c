// libcurl, loaded when Kallad first needs it. Kallad does not link libcurl: an idle daemon, and every command that
// sends nothing (check, preview, meetings …), then never maps it and the two dozen libraries it brings — OpenSSL,
// GnuTLS, p11-kit, Kerberos, LDAP, libssh2, nghttp2 … — about 5 MB of resident memory and their start-up work.
//
// These are the libcurl functions Kallad calls, under libcurl's own names and signatures (the declarations of
// <curl/curl.h> check them). The first call of any of them loads libcurl.so.4 and looks all of them up; each then
// calls libcurl's. If libcurl cannot be loaded, they fail as libcurl does when it cannot start (CURLE_FAILED_INIT,
// NULL handles), curl_easy_strerror says why, and so does kallad_curl_load_error. The environment variable
// KALLAD_LIBCURL names another libcurl to load instead (a path or a soname).
#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "loader.h"

static struct {
    CURLcode (*global_init)(long);
    char *(*version)(void);
    const char *(*easy_strerror)(CURLcode);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *);
    void (*easy_reset)(CURL *);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    CURLcode (*easy_send)(CURL *, const void *, size_t, size_t *);
    CURLcode (*easy_recv)(CURL *, void *, size_t, size_t *);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
    CURLM *(*multi_init)(void);
    CURLMcode (*multi_cleanup)(CURLM *);
    CURLMcode (*multi_add_handle)(CURLM *, CURL *);
    CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
    CURLMcode (*multi_setopt)(CURLM *, CURLMoption, ...);
    CURLMcode (*multi_perform)(CURLM *, int *);
    CURLMcode (*multi_socket_action)(CURLM *, curl_socket_t, int, int *);
    CURLMcode (*multi_wait)(CURLM *, struct curl_waitfd[], unsigned int, int, int *);
    CURLMsg *(*multi_info_read)(CURLM *, int *);
} api;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int loaded;
static char load_error[512];

// KALLAD_LIBCURL names another libcurl to load (a path or a soname), e.g. libcurl-gnutls.so.4.
static void load(void) {
    const char *name = getenv("KALLAD_LIBCURL");
    if (!name || !*name) name = "libcurl.so.4";
    void *library = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        snprintf(load_error, sizeof load_error, "libcurl could not be loaded: %s (install libcurl4)", dlerror());
        return;
    }
#define FIND(field, symbol)                                                                               \
    if (!(*(void **)&api.field = dlsym(library, symbol))) {                                                 \
        snprintf(load_error, sizeof load_error, "%s has no %s: not a libcurl of 7.66 or later", name, symbol);\
        return;                                                                                             \
    }
    FIND(global_init, "curl_global_init")
    FIND(version, "curl_version")
    FIND(easy_strerror, "curl_easy_strerror")
    FIND(easy_init, "curl_easy_init")
    FIND(easy_cleanup, "curl_easy_cleanup")
    FIND(easy_reset, "curl_easy_reset")
    FIND(easy_setopt, "curl_easy_setopt")
    FIND(easy_getinfo, "curl_easy_getinfo")
    FIND(easy_send, "curl_easy_send")
    FIND(easy_recv, "curl_easy_recv")
    FIND(slist_append, "curl_slist_append")
    FIND(slist_free_all, "curl_slist_free_all")
    FIND(multi_init, "curl_multi_init")
    FIND(multi_cleanup, "curl_multi_cleanup")
    FIND(multi_add_handle, "curl_multi_add_handle")
    FIND(multi_remove_handle, "curl_multi_remove_handle")
    FIND(multi_setopt, "curl_multi_setopt")
    FIND(multi_perform, "curl_multi_perform")
    FIND(multi_socket_action, "curl_multi_socket_action")
    FIND(multi_wait, "curl_multi_wait")
    FIND(multi_info_read, "curl_multi_info_read")
#undef FIND
    loaded = 1;
}

static int ready(void) {
    pthread_once(&once, load);
    return loaded;
}

const char *kallad_curl_load_error(void) { return ready() ? NULL : load_error; }

CURLcode curl_global_init(long flags) { return ready() ? api.global_init(flags) : CURLE_FAILED_INIT; }

char *curl_version(void) { return ready() ? api.version() : load_error; }

const char *curl_easy_strerror(CURLcode code) { return ready() ? api.easy_strerror(code) : load_error; }

CURL *curl_easy_init(void) { return ready() ? api.easy_init() : NULL; }

// The calls below take handles, which only a loaded libcurl hands out.
void curl_easy_cleanup(CURL *handle) {
    if (ready()) api.easy_cleanup(handle);
}

void curl_easy_reset(CURL *handle) {
    if (ready()) api.easy_reset(handle);
}

// An option's one argument is a long, an object pointer, a function pointer, a curl_off_t or a blob pointer, as
// its number's range says (CURLOPTTYPE_*); it is read as that type and passed on as that type.
#define PASS_OPTION(call, handle, option, arguments)                                                 \
    ((option) < CURLOPTTYPE_OBJECTPOINT     ? call(handle, option, va_arg(arguments, long))           \
     : (option) < CURLOPTTYPE_FUNCTIONPOINT ? call(handle, option, va_arg(arguments, void *))         \
     : (option) < CURLOPTTYPE_OFF_T         ? call(handle, option, va_arg(arguments, void (*)(void))) \
     : (option) < CURLOPTTYPE_BLOB          ? call(handle, option, va_arg(arguments, curl_off_t))     \
                                            : call(handle, option, va_arg(arguments, void *)))

CURLcode curl_easy_setopt(CURL *handle, CURLoption option, ...) {
    if (!ready()) return CURLE_FAILED_INIT;
    va_list arguments;
    va_start(arguments, option);
    CURLcode code = PASS_OPTION(api.easy_setopt, handle, option, arguments);
    va_end(arguments);
    return code;
}

CURLMcode curl_multi_setopt(CURLM *multi, CURLMoption option, ...) {
    if (!ready()) return CURLM_BAD_HANDLE;
    va_list arguments;
    va_start(arguments, option);
    CURLMcode code = PASS_OPTION(api.multi_setopt, multi, option, arguments);
    va_end(arguments);
    return code;
}

// Every CURLINFO takes one pointer to where the value goes.
CURLcode curl_easy_getinfo(CURL *handle, CURLINFO info, ...) {
    if (!ready()) return CURLE_FAILED_INIT;
    va_list arguments;
    va_start(arguments, info);
    CURLcode code = api.easy_getinfo(handle, info, va_arg(arguments, void *));
    va_end(arguments);
    return code;
}

CURLcode curl_easy_send(CURL *handle, const void *buffer, size_t length, size_t *sent) {
    return ready() ? api.easy_send(handle, buffer, length, sent) : CURLE_FAILED_INIT;
}

CURLcode curl_easy_recv(CURL *handle, void *buffer, size_t length, size_t *received) {
    return ready() ? api.easy_recv(handle, buffer, length, received) : CURLE_FAILED_INIT;
}

struct curl_slist *curl_slist_append(struct curl_slist *list, const char *text) {
    return ready() ? api.slist_append(list, text) : NULL;
}

void curl_slist_free_all(struct curl_slist *list) {
    if (ready()) api.slist_free_all(list);
}

CURLM *curl_multi_init(void) { return ready() ? api.multi_init() : NULL; }

CURLMcode curl_multi_cleanup(CURLM *multi) { return ready() ? api.multi_cleanup(multi) : CURLM_BAD_HANDLE; }

CURLMcode curl_multi_add_handle(CURLM *multi, CURL *handle) {
    return ready() ? api.multi_add_handle(multi, handle) : CURLM_BAD_HANDLE;
}

CURLMcode curl_multi_remove_handle(CURLM *multi, CURL *handle) {
    return ready() ? api.multi_remove_handle(multi, handle) : CURLM_BAD_HANDLE;
}

CURLMcode curl_multi_perform(CURLM *multi, int *running) {
    return ready() ? api.multi_perform(multi, running) : CURLM_BAD_HANDLE;
}

CURLMcode curl_multi_socket_action(CURLM *multi, curl_socket_t socket, int events, int *running) {
    return ready() ? api.multi_socket_action(multi, socket, events, running) : CURLM_BAD_HANDLE;
}

CURLMcode curl_multi_wait(CURLM *multi, struct curl_waitfd extra[], unsigned int count, int timeout, int *ready_count) {
    return ready() ? api.multi_wait(multi, extra, count, timeout, ready_count) : CURLM_BAD_HANDLE;
}

CURLMsg *curl_multi_info_read(CURLM *multi, int *remaining) {
    return ready() ? api.multi_info_read(multi, remaining) : NULL;
}

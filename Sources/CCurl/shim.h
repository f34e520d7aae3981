// Typed wrappers for libcurl's variadic calls (Swift cannot call C variadics) and for macros that do not import.
#ifndef KALLAD_CCURL_SHIM_H
#define KALLAD_CCURL_SHIM_H

#include <curl/curl.h>
#include <errno.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

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
/// The option that lets a transfer go on when some recipients are refused: spelt with three Ls before 8.2.0.
static inline CURLoption kallad_curl_opt_rcpt_allowfails(void) {
#if LIBCURL_VERSION_NUM >= 0x080200
    return CURLOPT_MAIL_RCPT_ALLOWFAILS;
#else
    return CURLOPT_MAIL_RCPT_ALLLOWFAILS;
#endif
}
static inline size_t kallad_curl_readfunc_abort(void) { return CURL_READFUNC_ABORT; }
// Driving a multi handle with curl_multi_socket_action and epoll: libcurl names the sockets it waits on and when it
// next needs a timeout; only the transfers whose socket is ready run (curl_multi_perform visits every transfer and
// polls each socket, once per wake-up).

static inline long long kallad_now_ms(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}
/// Also keeps each transfer's socket in the int its CURLOPT_PRIVATE points to (-1 when none), if it has one.
static inline int kallad_socket_callback(CURL *easy, curl_socket_t socket, int what, void *epoll, void *data) {
    (void)data;
    int epfd = (int)(intptr_t)epoll;
    char *slot = NULL;
    if (curl_easy_getinfo(easy, CURLINFO_PRIVATE, &slot) == CURLE_OK && slot) {
        *(int *)slot = what == CURL_POLL_REMOVE ? -1 : socket;
    }
    if (what == CURL_POLL_REMOVE) {
        epoll_ctl(epfd, EPOLL_CTL_DEL, socket, NULL);
        return 0;
    }
    struct epoll_event event = {0};
    event.events = ((what & CURL_POLL_IN) ? EPOLLIN : 0) | ((what & CURL_POLL_OUT) ? EPOLLOUT : 0);
    event.data.fd = socket;
    if (epoll_ctl(epfd, EPOLL_CTL_MOD, socket, &event) != 0 && errno == ENOENT) {
        epoll_ctl(epfd, EPOLL_CTL_ADD, socket, &event);
    }
    return 0;
}
static inline int kallad_timer_callback(CURLM *multi, long timeout_ms, void *deadline) {
    (void)multi;
    *(long long *)deadline = timeout_ms < 0 ? -1 : kallad_now_ms() + timeout_ms;
    return 0;
}
/// Makes `multi` report its sockets to `epfd` and its next timeout, as a CLOCK_MONOTONIC deadline in ms (-1: none),
/// to `*deadline`.
static inline CURLMcode kallad_multi_use_epoll(CURLM *multi, int epfd, long long *deadline) {
    *deadline = -1;
    curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, kallad_socket_callback);
    curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, (void *)(intptr_t)epfd);
    curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, kallad_timer_callback);
    return curl_multi_setopt(multi, CURLMOPT_TIMERDATA, (void *)deadline);
}
/// Milliseconds until `*deadline`: -1 when there is none, 0 when it has passed.
static inline int kallad_timer_remaining(const long long *deadline) {
    if (*deadline < 0) return -1;
    long long left = *deadline - kallad_now_ms();
    return left <= 0 ? 0 : (left > 1000000 ? 1000000 : (int)left);
}
/// Waits up to `timeout_ms` for ready sockets; fills `sockets` and `masks` (CURL_CSELECT_IN/OUT/ERR), returns how
/// many (0 on timeout or a signal).
static inline int kallad_epoll_wait(int epfd, int *sockets, int *masks, int capacity, int timeout_ms) {
    struct epoll_event events[64];
    int n = epoll_wait(epfd, events, capacity < 64 ? capacity : 64, timeout_ms);
    for (int i = 0; i < n; i++) {
        sockets[i] = events[i].data.fd;
        masks[i] = ((events[i].events & EPOLLIN) ? CURL_CSELECT_IN : 0)
            | ((events[i].events & EPOLLOUT) ? CURL_CSELECT_OUT : 0)
            | ((events[i].events & (EPOLLERR | EPOLLHUP)) ? CURL_CSELECT_ERR : 0);
    }
    return n < 0 ? 0 : n;
}
/// Shuts a socket down both ways: libcurl then fails at once on it instead of waiting for the server.
static inline void kallad_shutdown(int socket) { shutdown(socket, SHUT_RDWR); }
static inline int kallad_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }
/// An eventfd in `epfd`'s set, for waking the loop from another thread.
static inline int kallad_wakeup_create(int epfd) {
    int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (fd < 0) return -1;
    struct epoll_event event = {0};
    event.events = EPOLLIN;
    event.data.fd = fd;
    epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &event);
    return fd;
}
static inline void kallad_wakeup_signal(int fd) {
    uint64_t one = 1;
    ssize_t written = write(fd, &one, sizeof one);
    (void)written;
}
static inline void kallad_wakeup_drain(int fd) {
    uint64_t count;
    ssize_t got = read(fd, &count, sizeof count);
    (void)got;
}
static inline CURLMcode kallad_multi_socket_action(CURLM *multi, int socket, int mask, int *running) {
    return curl_multi_socket_action(multi, socket, mask, running);
}
static inline CURLMcode kallad_multi_timeout_action(CURLM *multi, int *running) {
    return curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, running);
}
#endif

// Driving a multi handle with curl_multi_socket_action and epoll: libcurl names the sockets it waits on and when it
// next needs a timeout; only the transfers whose socket is ready run (curl_multi_perform visits every transfer and
// polls each socket, once per wake-up).
//
// The poller keeps, per socket, what libcurl wants (in, out, nothing) and what the epoll set holds, and brings the
// set up to date only just before it waits (`kallad_poller_wait`). A kept-alive connection that libcurl drops from
// one transfer and hands to the next before the loop waits again (a request after another) then costs no
// epoll_ctl at all, and a socket that libcurl wants to write to is first tried at once
// (`kallad_poller_writers`): right after a reply, a TCP socket has room, so the wait for EPOLLOUT would only cost a
// wake-up and two epoll_ctl. Skipping a call is safe only for sockets whose whole life the poller sees: those opened
// and closed through the easy handles' OPENSOCKET/CLOSESOCKET callbacks (`kallad_poller_use`); any other socket
// libcurl names (its resolver's) is registered and removed at once, as it asks.
#ifndef KALLAD_CCURL_POLLER_H
#define KALLAD_CCURL_POLLER_H

#include <curl/curl.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum {
    KALLAD_WANT_IN = 1,
    KALLAD_WANT_OUT = 2,
    KALLAD_IN_EPOLL = 1,  // flags: the epoll set holds the socket, with the events in `held`
    KALLAD_OWNED = 2,     // opened by our OPENSOCKET callback; closed only through our CLOSESOCKET callback
    KALLAD_DIRTY = 4,     // in `dirty`: `wanted` may differ from `held`
};

typedef struct kallad_poller {
    int epoll;
    /// libcurl's next timeout, a CLOCK_MONOTONIC deadline in ms (-1: none), written by its timer callback.
    long long deadline;
    /// Per socket (indexed by descriptor): what libcurl wants, what the epoll set holds, flags.
    unsigned char *wanted, *held, *flags;
    int capacity;
    /// Sockets whose `wanted` changed since the last wait.
    int *dirty;
    int dirty_count, dirty_capacity;
} kallad_poller;

static inline long long kallad_now_ms(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/// A poller with an epoll set of its own; NULL when either cannot be made.
static inline kallad_poller *kallad_poller_create(void) {
    kallad_poller *poller = calloc(1, sizeof *poller);
    if (!poller) return NULL;
    poller->deadline = -1;
    poller->epoll = epoll_create1(EPOLL_CLOEXEC);
    if (poller->epoll < 0) {
        free(poller);
        return NULL;
    }
    return poller;
}

/// Closes the epoll set and frees the poller: only after `curl_multi_cleanup` (which closes the kept connections
/// through the CLOSESOCKET callback, which uses the poller).
static inline void kallad_poller_destroy(kallad_poller *poller) {
    if (!poller) return;
    close(poller->epoll);
    free(poller->wanted);
    free(poller->held);
    free(poller->flags);
    free(poller->dirty);
    free(poller);
}

/// Makes room for `socket` in the per-socket arrays; 0 when memory ran out.
static inline int kallad_poller_reserve(kallad_poller *poller, int socket) {
    if (socket < 0) return 0;
    if (socket < poller->capacity) return 1;
    int capacity = poller->capacity ? poller->capacity : 64;
    while (capacity <= socket) capacity *= 2;
    unsigned char **arrays[3] = {&poller->wanted, &poller->held, &poller->flags};
    for (int i = 0; i < 3; i++) {
        unsigned char *grown = realloc(*arrays[i], (size_t)capacity);
        if (!grown) return 0;
        memset(grown + poller->capacity, 0, (size_t)(capacity - poller->capacity));
        *arrays[i] = grown;
    }
    poller->capacity = capacity;
    return 1;
}

/// Makes the epoll set hold what libcurl wants for `socket`. An owned socket the set already holds with the same
/// events costs nothing; any other makes the call (and recovers from a set that lost or kept a descriptor behind
/// our back).
static inline void kallad_poller_sync(kallad_poller *poller, int socket) {
    unsigned char wanted = poller->wanted[socket];
    unsigned char *flags = &poller->flags[socket];
    if (!wanted) {
        if (*flags & KALLAD_IN_EPOLL) epoll_ctl(poller->epoll, EPOLL_CTL_DEL, socket, NULL);
        *flags &= (unsigned char)~KALLAD_IN_EPOLL;
        poller->held[socket] = 0;
        return;
    }
    if ((*flags & KALLAD_OWNED) && (*flags & KALLAD_IN_EPOLL) && poller->held[socket] == wanted) return;
    struct epoll_event event = {0};
    event.events = ((wanted & KALLAD_WANT_IN) ? EPOLLIN : 0) | ((wanted & KALLAD_WANT_OUT) ? EPOLLOUT : 0);
    event.data.fd = socket;
    int operation = (*flags & KALLAD_IN_EPOLL) ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    if (epoll_ctl(poller->epoll, operation, socket, &event) != 0) {
        if (errno == ENOENT) epoll_ctl(poller->epoll, EPOLL_CTL_ADD, socket, &event);
        else if (errno == EEXIST) epoll_ctl(poller->epoll, EPOLL_CTL_MOD, socket, &event);
    }
    *flags |= KALLAD_IN_EPOLL;
    poller->held[socket] = wanted;
}

/// Notes that `socket`'s wish changed; the set follows in `kallad_poller_settle`. Syncs at once when the list
/// cannot grow.
static inline void kallad_poller_mark(kallad_poller *poller, int socket) {
    if (poller->flags[socket] & KALLAD_DIRTY) return;
    if (poller->dirty_count == poller->dirty_capacity) {
        int capacity = poller->dirty_capacity ? poller->dirty_capacity * 2 : 64;
        int *grown = realloc(poller->dirty, sizeof(int) * (size_t)capacity);
        if (!grown) {
            kallad_poller_sync(poller, socket);
            return;
        }
        poller->dirty = grown;
        poller->dirty_capacity = capacity;
    }
    poller->flags[socket] |= KALLAD_DIRTY;
    poller->dirty[poller->dirty_count++] = socket;
}

/// Brings the epoll set up to date with every socket whose wish changed.
static inline void kallad_poller_settle(kallad_poller *poller) {
    for (int i = 0; i < poller->dirty_count; i++) {
        int socket = poller->dirty[i];
        if (socket >= poller->capacity || !(poller->flags[socket] & KALLAD_DIRTY)) continue;
        poller->flags[socket] &= (unsigned char)~KALLAD_DIRTY;
        kallad_poller_sync(poller, socket);
    }
    poller->dirty_count = 0;
}

/// libcurl's socket callback. Also keeps each transfer's socket in the int its CURLOPT_PRIVATE points to (-1 when
/// none), if it has one.
static inline int kallad_poller_socket_callback(CURL *easy, curl_socket_t socket, int what, void *context,
                                                void *data) {
    (void)data;
    kallad_poller *poller = context;
    char *slot = NULL;
    if (curl_easy_getinfo(easy, CURLINFO_PRIVATE, &slot) == CURLE_OK && slot) {
        *(int *)slot = what == CURL_POLL_REMOVE ? -1 : socket;
    }
    unsigned char wanted = what == CURL_POLL_REMOVE
        ? 0
        : (unsigned char)(((what & CURL_POLL_IN) ? KALLAD_WANT_IN : 0) | ((what & CURL_POLL_OUT) ? KALLAD_WANT_OUT : 0));
    if (!kallad_poller_reserve(poller, socket)) {
        // No memory for the bookkeeping: follow libcurl directly.
        if (!wanted) {
            epoll_ctl(poller->epoll, EPOLL_CTL_DEL, socket, NULL);
            return 0;
        }
        struct epoll_event event = {0};
        event.events = ((wanted & KALLAD_WANT_IN) ? EPOLLIN : 0) | ((wanted & KALLAD_WANT_OUT) ? EPOLLOUT : 0);
        event.data.fd = socket;
        if (epoll_ctl(poller->epoll, EPOLL_CTL_MOD, socket, &event) != 0 && errno == ENOENT) {
            epoll_ctl(poller->epoll, EPOLL_CTL_ADD, socket, &event);
        }
        return 0;
    }
    poller->wanted[socket] = wanted;
    if (poller->flags[socket] & KALLAD_OWNED) {
        kallad_poller_mark(poller, socket);
    } else {
        kallad_poller_sync(poller, socket);
    }
    return 0;
}

static inline int kallad_poller_timer_callback(CURLM *multi, long timeout_ms, void *context) {
    (void)multi;
    kallad_poller *poller = context;
    poller->deadline = timeout_ms < 0 ? -1 : kallad_now_ms() + timeout_ms;
    return 0;
}

/// Opens the socket of a new connection (close-on-exec), and takes note that the poller sees its whole life.
static inline curl_socket_t kallad_poller_open_socket(void *context, curlsocktype purpose,
                                                      struct curl_sockaddr *address) {
    (void)purpose;
    kallad_poller *poller = context;
    int socket_fd = socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
    if (socket_fd < 0) return CURL_SOCKET_BAD;
    if (kallad_poller_reserve(poller, socket_fd)) {
        poller->wanted[socket_fd] = 0;
        poller->held[socket_fd] = 0;
        poller->flags[socket_fd] = KALLAD_OWNED;
    }
    return socket_fd;
}

/// Closes a connection's socket, taking it out of the epoll set first.
static inline int kallad_poller_close_socket(void *context, curl_socket_t socket) {
    kallad_poller *poller = context;
    if (socket >= 0 && socket < poller->capacity) {
        if (poller->flags[socket] & KALLAD_IN_EPOLL) epoll_ctl(poller->epoll, EPOLL_CTL_DEL, socket, NULL);
        poller->wanted[socket] = 0;
        poller->held[socket] = 0;
        poller->flags[socket] = 0;
    }
    return close(socket);
}

/// Makes `multi` report its sockets and its next timeout to `poller`.
static inline CURLMcode kallad_poller_drive(kallad_poller *poller, CURLM *multi) {
    curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, kallad_poller_socket_callback);
    curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, (void *)poller);
    curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, kallad_poller_timer_callback);
    return curl_multi_setopt(multi, CURLMOPT_TIMERDATA, (void *)poller);
}

/// Makes the connections `easy` opens go through the poller's OPENSOCKET/CLOSESOCKET callbacks. Set on every easy
/// handle of the multi handle: a connection keeps the callbacks of the handle that opened it.
static inline void kallad_poller_use(kallad_poller *poller, CURL *easy) {
    curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, kallad_poller_open_socket);
    curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, (void *)poller);
    curl_easy_setopt(easy, CURLOPT_CLOSESOCKETFUNCTION, kallad_poller_close_socket);
    curl_easy_setopt(easy, CURLOPT_CLOSESOCKETDATA, (void *)poller);
}

/// Milliseconds until libcurl's next timeout: -1 when there is none, 0 when it has passed.
static inline int kallad_poller_timer_remaining(const kallad_poller *poller) {
    if (poller->deadline < 0) return -1;
    long long left = poller->deadline - kallad_now_ms();
    return left <= 0 ? 0 : (left > 1000000 ? 1000000 : (int)left);
}

/// The sockets that libcurl wants to write to since the last wait (at most `capacity`), to be tried at once.
static inline int kallad_poller_writers(const kallad_poller *poller, int *sockets, int capacity) {
    int count = 0;
    for (int i = 0; i < poller->dirty_count && count < capacity; i++) {
        int socket = poller->dirty[i];
        if (socket < poller->capacity && (poller->flags[socket] & KALLAD_DIRTY)
            && (poller->wanted[socket] & KALLAD_WANT_OUT)) {
            sockets[count++] = socket;
        }
    }
    return count;
}

/// Brings the epoll set up to date, then waits up to `timeout_ms` for ready sockets; fills `sockets` and `masks`
/// (CURL_CSELECT_IN/OUT/ERR), returns how many (0 on timeout or a signal).
static inline int kallad_poller_wait(kallad_poller *poller, int *sockets, int *masks, int capacity, int timeout_ms) {
    kallad_poller_settle(poller);
    struct epoll_event events[64];
    int n = epoll_wait(poller->epoll, events, capacity < 64 ? capacity : 64, timeout_ms);
    for (int i = 0; i < n; i++) {
        sockets[i] = events[i].data.fd;
        masks[i] = ((events[i].events & EPOLLIN) ? CURL_CSELECT_IN : 0)
            | ((events[i].events & EPOLLOUT) ? CURL_CSELECT_OUT : 0)
            | ((events[i].events & (EPOLLERR | EPOLLHUP)) ? CURL_CSELECT_ERR : 0);
    }
    return n < 0 ? 0 : n;
}


/// An eventfd in the poller's epoll set (never a libcurl socket), for waking the loop from another thread.
static inline int kallad_wakeup_create(kallad_poller *poller) {
    int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (fd < 0) return -1;
    struct epoll_event event = {0};
    event.events = EPOLLIN;
    event.data.fd = fd;
    epoll_ctl(poller->epoll, EPOLL_CTL_ADD, fd, &event);
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

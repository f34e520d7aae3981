// An SMTP session whose connection libcurl sets up and whose mail transactions Kallad drives itself.
//
// libcurl connects, does TLS (smtps, or STARTTLS), EHLO and AUTH, and stops there (`CURLOPT_CONNECT_ONLY`); the
// commands and the message then go through `curl_easy_send` / `curl_easy_recv` on the same connection (so TLS stays
// libcurl's), polled on `CURLINFO_ACTIVESOCKET`. Each session has a multi handle of its own: the connect waits in
// `curl_multi_wait` together with a cancellation eventfd, and the easy handle stays in that multi handle afterwards,
// which is where `curl_easy_send` / `curl_easy_recv` find the connection (libcurl 7.88 closes a CONNECT_ONLY
// connection when its handle leaves the multi handle).
//
// While libcurl connects, its debug callback hands over every reply line: the session keeps the EHLO keywords
// that matter (PIPELINING, SIZE) and the last final reply (for the outcome when the connect fails).
#ifndef KALLAD_CCURL_SESSION_H
#define KALLAD_CCURL_SESSION_H

#include <curl/curl.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

enum {
    KALLAD_SESSION_PIPELINING = 1,
    KALLAD_SESSION_SIZE = 2,
    /// Returned by the send and receive calls when the batch was cancelled (never a CURLcode).
    KALLAD_SESSION_CANCELLED = -1,
};

typedef struct kallad_session {
    CURLM *multi;
    CURL *easy;
    int socket;
    /// KALLAD_SESSION_* keywords of the last EHLO reply.
    int extensions;
    /// Keywords gathered from the EHLO reply in progress.
    int gathering;
    /// The last final reply line while connecting: code (0: none) and text.
    int last_code;
    char last_text[512];
} kallad_session;

static inline long long kallad_session_now_ms(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/// One reply line heard while connecting (without its line end).
static inline void kallad_session_line(kallad_session *session, const char *line, size_t length) {
    if (length < 3) return;
    int code = 0;
    for (int i = 0; i < 3; i++) {
        if (line[i] < '0' || line[i] > '9') return;
        code = code * 10 + (line[i] - '0');
    }
    const char *keyword = line + 4;
    size_t left = length > 4 ? length - 4 : 0;
    if (code == 250 && length > 4) {
        if (left >= 10 && strncasecmp(keyword, "PIPELINING", 10) == 0 && (left == 10 || keyword[10] == ' ')) {
            session->gathering |= KALLAD_SESSION_PIPELINING;
        } else if (left >= 4 && strncasecmp(keyword, "SIZE", 4) == 0 && (left == 4 || keyword[4] == ' ')) {
            session->gathering |= KALLAD_SESSION_SIZE;
        }
    }
    if (length == 3 || line[3] == ' ') {
        session->last_code = code;
        size_t n = left < sizeof session->last_text - 1 ? left : sizeof session->last_text - 1;
        memcpy(session->last_text, keyword, n);
        session->last_text[n] = 0;
    }
}

static inline int kallad_session_debug(CURL *easy, curl_infotype type, char *data, size_t size, void *context) {
    (void)easy;
    kallad_session *session = context;
    if (type == CURLINFO_HEADER_OUT) {
        // A new EHLO (the second one after STARTTLS) starts the keyword list afresh.
        if (size >= 4 && strncasecmp(data, "EHLO", 4) == 0) session->gathering = 0;
        return 0;
    }
    if (type != CURLINFO_HEADER_IN) return 0;
    size_t start = 0;
    while (start < size) {
        size_t end = start;
        while (end < size && data[end] != '\n') end++;
        size_t stop = end;
        while (stop > start && (data[stop - 1] == '\r' || data[stop - 1] == '\n')) stop--;
        kallad_session_line(session, data + start, stop - start);
        start = end + 1;
    }
    session->extensions = session->gathering;
    return 0;
}

/// Opens the connection's socket close-on-exec (a child process never inherits a mail session).
static inline curl_socket_t kallad_session_open_socket(void *context, curlsocktype purpose,
                                                       struct curl_sockaddr *address) {
    (void)context;
    (void)purpose;
    int socket_fd = socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
    return socket_fd < 0 ? CURL_SOCKET_BAD : socket_fd;
}

/// A session with its multi and easy handle; NULL when libcurl cannot make them. The caller sets the connection's
/// options (URL, TLS, login, timeouts) on `easy` and then calls `kallad_session_connect`.
static inline kallad_session *kallad_session_create(void) {
    kallad_session *session = calloc(1, sizeof *session);
    if (!session) return NULL;
    session->socket = -1;
    session->multi = curl_multi_init();
    session->easy = curl_easy_init();
    if (!session->multi || !session->easy) {
        if (session->easy) curl_easy_cleanup(session->easy);
        if (session->multi) curl_multi_cleanup(session->multi);
        free(session);
        return NULL;
    }
    curl_easy_setopt(session->easy, CURLOPT_CONNECT_ONLY, 1L);
    curl_easy_setopt(session->easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(session->easy, CURLOPT_VERBOSE, 1L);
    curl_easy_setopt(session->easy, CURLOPT_DEBUGFUNCTION, kallad_session_debug);
    curl_easy_setopt(session->easy, CURLOPT_DEBUGDATA, (void *)session);
    curl_easy_setopt(session->easy, CURLOPT_OPENSOCKETFUNCTION, kallad_session_open_socket);
    return session;
}

/// Connects (TCP, TLS, EHLO, AUTH) and returns libcurl's result; KALLAD_SESSION_CANCELLED when `cancel` (an
/// eventfd, -1 for none) became readable first.
static inline int kallad_session_connect(kallad_session *session, int cancel) {
    if (curl_multi_add_handle(session->multi, session->easy) != CURLM_OK) return CURLE_FAILED_INIT;
    int running = 1;
    CURLcode result = CURLE_OK;
    for (;;) {
        if (curl_multi_perform(session->multi, &running) != CURLM_OK) {
            result = CURLE_FAILED_INIT;
            break;
        }
        int left = 0;
        CURLMsg *message;
        int done = 0;
        while ((message = curl_multi_info_read(session->multi, &left))) {
            if (message->msg == CURLMSG_DONE && message->easy_handle == session->easy) {
                result = message->data.result;
                done = 1;
            }
        }
        if (done || !running) break;
        struct curl_waitfd extra = {.fd = cancel, .events = CURL_WAIT_POLLIN, .revents = 0};
        if (curl_multi_wait(session->multi, cancel >= 0 ? &extra : NULL, cancel >= 0 ? 1 : 0, 1000, NULL)
            != CURLM_OK) {
            result = CURLE_FAILED_INIT;
            break;
        }
        if (cancel >= 0 && extra.revents) return KALLAD_SESSION_CANCELLED;
    }
    // The debug callback is for the connect only: the transactions' traffic does not go through libcurl's SMTP.
    curl_easy_setopt(session->easy, CURLOPT_VERBOSE, 0L);
    if (result != CURLE_OK) return result;
    curl_socket_t socket = CURL_SOCKET_BAD;
    if (curl_easy_getinfo(session->easy, CURLINFO_ACTIVESOCKET, &socket) != CURLE_OK || socket == CURL_SOCKET_BAD) {
        return CURLE_COULDNT_CONNECT;
    }
    session->socket = socket;
    return CURLE_OK;
}

/// Waits until `socket` is ready for `events` or `cancel` is readable or `deadline` (ms, CLOCK_MONOTONIC) passed:
/// CURLE_OK, KALLAD_SESSION_CANCELLED or CURLE_OPERATION_TIMEDOUT.
static inline int kallad_session_wait(int socket, short events, int cancel, long long deadline) {
    for (;;) {
        long long left = deadline - kallad_session_now_ms();
        if (left <= 0) return CURLE_OPERATION_TIMEDOUT;
        struct pollfd fds[2] = {{.fd = socket, .events = events}, {.fd = cancel, .events = POLLIN}};
        int n = poll(fds, cancel >= 0 ? 2 : 1, left > 1000000 ? 1000000 : (int)left);
        if (n < 0) continue;  // a signal
        if (cancel >= 0 && fds[1].revents) return KALLAD_SESSION_CANCELLED;
        if (n > 0) return CURLE_OK;
    }
}

/// Sends all `length` bytes: CURLE_OK, a libcurl error, KALLAD_SESSION_CANCELLED or CURLE_OPERATION_TIMEDOUT.
static inline int kallad_session_send(kallad_session *session, const void *bytes, size_t length, int cancel,
                                      long long deadline) {
    const char *next = bytes;
    while (length > 0) {
        size_t sent = 0;
        CURLcode result = curl_easy_send(session->easy, next, length, &sent);
        if (result == CURLE_AGAIN) {
            int waited = kallad_session_wait(session->socket, POLLOUT, cancel, deadline);
            if (waited != CURLE_OK) return waited;
            continue;
        }
        if (result != CURLE_OK) return result;
        next += sent;
        length -= sent;
    }
    return CURLE_OK;
}

/// Receives what has arrived (at least one byte, at most `capacity`) into `buffer`, setting `*received`:
/// CURLE_OK, CURLE_GOT_NOTHING when the server closed the connection, a libcurl error, KALLAD_SESSION_CANCELLED or
/// CURLE_OPERATION_TIMEDOUT. Asks libcurl first and polls only when it has nothing (TLS may hold decrypted bytes the
/// socket no longer shows).
static inline int kallad_session_receive(kallad_session *session, void *buffer, size_t capacity, size_t *received,
                                         int cancel, long long deadline) {
    *received = 0;
    for (;;) {
        CURLcode result = curl_easy_recv(session->easy, buffer, capacity, received);
        if (result == CURLE_AGAIN) {
            int waited = kallad_session_wait(session->socket, POLLIN, cancel, deadline);
            if (waited != CURLE_OK) return waited;
            continue;
        }
        if (result != CURLE_OK) return result;
        return *received == 0 ? CURLE_GOT_NOTHING : CURLE_OK;
    }
}

/// Whether a kept session's connection still looks usable: the server has said nothing since (one that gave up on an
/// idle session says 421 or closes) and the socket has no error. Something readable is handed to libcurl first: on
/// TLS it may be a record that carries no data (a TLS 1.3 session ticket), which leaves the session as good as it was.
static inline int kallad_session_idle_usable(kallad_session *session) {
    if (session->socket < 0) return 0;
    struct pollfd fd = {.fd = session->socket, .events = POLLIN};
    if (poll(&fd, 1, 0) == 0) return 1;
    if (fd.revents & (POLLERR | POLLHUP | POLLNVAL)) return 0;
    char byte[64];
    size_t received = 0;
    return curl_easy_recv(session->easy, byte, sizeof byte, &received) == CURLE_AGAIN;
}

/// Ends the session: QUIT when `polite` (the reply is not awaited), then the connection closes and the handles are
/// freed.
static inline void kallad_session_destroy(kallad_session *session, int polite) {
    if (!session) return;
    if (polite && session->socket >= 0) {
        size_t sent = 0;
        curl_easy_send(session->easy, "QUIT\r\n", 6, &sent);
    }
    curl_multi_remove_handle(session->multi, session->easy);
    curl_easy_cleanup(session->easy);
    curl_multi_cleanup(session->multi);
    free(session);
}

/// Shuts the session's socket down both ways (from any thread): whatever waits on it fails at once.
static inline void kallad_session_shutdown(const kallad_session *session) {
    if (session->socket >= 0) shutdown(session->socket, SHUT_RDWR);
}

/// An eventfd that cancels a batch: every session of the batch polls it, and once signalled it stays readable.
static inline int kallad_cancel_create(void) { return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); }
static inline void kallad_cancel_signal(int fd) {
    uint64_t one = 1;
    ssize_t written = write(fd, &one, sizeof one);
    (void)written;
}

static inline CURLcode kallad_session_setopt_long(kallad_session *session, CURLoption option, long value) {
    return curl_easy_setopt(session->easy, option, value);
}
static inline CURLcode kallad_session_setopt_string(kallad_session *session, CURLoption option, const char *value) {
    return curl_easy_setopt(session->easy, option, value);
}
#endif

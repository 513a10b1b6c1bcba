// AF_UNIX datagram sockets for systemd's notify protocol (sd_notify), which Node's dgram module lacks.
// Written against Node-API only (no V8, no libuv symbols), so the one build that `npm ci` makes loads in
// Node and in Electron, in its main process and in Node mode (ELECTRON_RUN_AS_NODE), with no rebuild.
//
// bind(path, onMessage) -> handle: a receiving socket. A thread waits in poll() and hands each datagram
//   to the JS thread through a thread-safe function whose queue is bounded: a sender that floods the
//   socket fills the kernel's buffer and then waits (or drops, if it sends non-blocking), it never
//   grows our memory. close(handle) wakes the thread through an eventfd and joins it.
// send(path, buffer): one datagram, non-blocking (EAGAIN when the receiver's queue is full). A path
//   that starts with '@' names an abstract socket, as $NOTIFY_SOCKET may (sd_notify(3)).
#include <errno.h>
#include <node_api.h>
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

// systemd's own notify buffer is far smaller; anything longer is not a notify message and is dropped.
#define MAX_DATAGRAM 65536
// Datagrams handed to the JS thread but not yet delivered; the reader waits beyond this.
#define QUEUE_MAX 64

typedef struct {
  size_t len;
  char data[];
} datagram_t;

typedef struct {
  int fd;
  int wake;
  int closed;
  int hooked;
  napi_env env;
  pthread_t thread;
  napi_threadsafe_function tsfn;
} receiver_t;

static const char *errno_code(int e) {
  switch (e) {
    case ENOENT: return "ENOENT";
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case ECONNREFUSED: return "ECONNREFUSED";
    case EAGAIN: return "EAGAIN";
    case EADDRINUSE: return "EADDRINUSE";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case ENOTDIR: return "ENOTDIR";
    case EMSGSIZE: return "EMSGSIZE";
    case ENOBUFS: return "ENOBUFS";
    case EMFILE: return "EMFILE";
    case EINVAL: return "EINVAL";
    default: return "EIO";
  }
}

static napi_value throw_errno(napi_env env, int e, const char *what, const char *path) {
  char message[512];
  snprintf(message, sizeof message, "%s %s: %s", what, path, strerror(e));
  napi_throw_error(env, errno_code(e), message);
  return NULL;
}

// Reads a string argument into buf; refuses embedded NUL bytes, which would silently cut the path short.
static int get_path(napi_env env, napi_value value, char *buf, size_t size, size_t *len) {
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_string) {
    napi_throw_type_error(env, "EINVAL", "the socket path must be a string");
    return 0;
  }
  size_t full;
  napi_get_value_string_utf8(env, value, NULL, 0, &full);
  if (full >= size) {
    char message[160];
    snprintf(message, sizeof message, "socket path too long: %zu bytes, a unix socket path holds at most %zu", full, size - 1);
    napi_throw_error(env, "ENAMETOOLONG", message);
    return 0;
  }
  napi_get_value_string_utf8(env, value, buf, size, len);
  if (*len == 0 || memchr(buf, 0, *len)) {
    napi_throw_error(env, "EINVAL", *len ? "the socket path contains a NUL byte" : "the socket path is empty");
    return 0;
  }
  return 1;
}

// Fills addr for path ('@' = abstract namespace); returns the address length, or 0 when it does not fit.
static socklen_t make_address(struct sockaddr_un *addr, const char *path, size_t len) {
  memset(addr, 0, sizeof *addr);
  addr->sun_family = AF_UNIX;
  if (len > sizeof addr->sun_path - (path[0] == '@' ? 0 : 1)) return 0;
  memcpy(addr->sun_path, path, len);
  if (path[0] == '@') {
    addr->sun_path[0] = '\0';
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
  }
  return (socklen_t)sizeof *addr;
}

static void deliver(napi_env env, napi_value callback, void *context, void *data) {
  (void)context;
  datagram_t *d = data;
  // env is NULL while the function is torn down: the datagram is only freed.
  if (env != NULL) {
    napi_value buffer, global;
    if (napi_create_buffer_copy(env, d->len, d->data, NULL, &buffer) == napi_ok && napi_get_global(env, &global) == napi_ok) {
      napi_call_function(env, global, callback, 1, &buffer, NULL);
    }
  }
  free(d);
}

static void *receive_loop(void *arg) {
  receiver_t *r = arg;
  char *buf = malloc(MAX_DATAGRAM);
  if (buf == NULL) return NULL;
  struct pollfd fds[2] = {{.fd = r->fd, .events = POLLIN}, {.fd = r->wake, .events = POLLIN}};
  for (;;) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[1].revents) break;
    ssize_t n = recv(r->fd, buf, MAX_DATAGRAM, MSG_DONTWAIT | MSG_TRUNC);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      break;
    }
    if (n > MAX_DATAGRAM) continue;
    datagram_t *d = malloc(sizeof *d + (size_t)n);
    if (d == NULL) continue;
    d->len = (size_t)n;
    memcpy(d->data, buf, (size_t)n);
    if (napi_call_threadsafe_function(r->tsfn, d, napi_tsfn_blocking) != napi_ok) {
      free(d);
      break;
    }
  }
  free(buf);
  return NULL;
}

static void close_receiver(receiver_t *r) {
  if (r->closed) return;
  r->closed = 1;
  // Abort first: a reader blocked on a full queue returns at once instead of waiting for this thread.
  napi_release_threadsafe_function(r->tsfn, napi_tsfn_abort);
  uint64_t one = 1;
  if (write(r->wake, &one, sizeof one) < 0) { /* the thread also stops when the queue is closed */ }
  pthread_join(r->thread, NULL);
  close(r->fd);
  close(r->wake);
}

// At exit, before Node tears the queue down: stop the thread first, so it never touches a freed queue.
static void cleanup_hook(void *arg) {
  receiver_t *r = arg;
  r->hooked = 0;
  close_receiver(r);
}

static void close_and_unhook(receiver_t *r) {
  if (r->hooked) {
    r->hooked = 0;
    napi_remove_env_cleanup_hook(r->env, cleanup_hook, r);
  }
  close_receiver(r);
}

// A handle the program dropped without closing it is closed when it is collected.
static void finalize_receiver(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  close_and_unhook(data);
  free(data);
}

typedef char socket_path_t[sizeof(((struct sockaddr_un *)0)->sun_path)];

// The (path, second argument) of bind and send; 0, with a JS exception pending, when either is unusable.
static int path_and_arg(napi_env env, napi_callback_info info, socket_path_t path, size_t *len, napi_value *arg) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 2) {
    napi_throw_type_error(env, "EINVAL", "expected a socket path and one more argument");
    return 0;
  }
  *arg = argv[1];
  return get_path(env, argv[0], path, sizeof(socket_path_t), len);
}

static napi_value Bind(napi_env env, napi_callback_info info) {
  socket_path_t path;
  size_t len;
  napi_value callback;
  if (!path_and_arg(env, info, path, &len, &callback)) return NULL;
  napi_valuetype type;
  napi_typeof(env, callback, &type);
  if (type != napi_function) {
    napi_throw_type_error(env, "EINVAL", "onMessage must be a function");
    return NULL;
  }
  if (path[0] == '@') {
    napi_throw_error(env, "EINVAL", "a receiving socket must be a file (abstract sockets are open to every process in the network namespace)");
    return NULL;
  }
  struct sockaddr_un addr;
  socklen_t addrlen = make_address(&addr, path, len);
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return throw_errno(env, errno, "socket for", path);
  if (bind(fd, (struct sockaddr *)&addr, addrlen) < 0) {
    int e = errno;
    close(fd);
    return throw_errno(env, e, "bind", path);
  }
  int wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake < 0) {
    int e = errno;
    close(fd);
    return throw_errno(env, e, "eventfd for", path);
  }
  receiver_t *r = calloc(1, sizeof *r);
  r->fd = fd;
  r->wake = wake;
  napi_value name;
  napi_create_string_utf8(env, "unix-dgram receive", NAPI_AUTO_LENGTH, &name);
  if (napi_create_threadsafe_function(env, callback, NULL, name, QUEUE_MAX, 1, NULL, NULL, NULL, deliver, &r->tsfn) != napi_ok) {
    close(fd);
    close(wake);
    free(r);
    napi_throw_error(env, "EIO", "could not create the receive queue");
    return NULL;
  }
  if (pthread_create(&r->thread, NULL, receive_loop, r) != 0) {
    napi_release_threadsafe_function(r->tsfn, napi_tsfn_abort);
    close(fd);
    close(wake);
    free(r);
    napi_throw_error(env, "EAGAIN", "could not start the receive thread");
    return NULL;
  }
  r->env = env;
  r->hooked = 1;
  napi_add_env_cleanup_hook(env, cleanup_hook, r);
  napi_value handle;
  napi_create_external(env, r, finalize_receiver, NULL, &handle);
  return handle;
}

static napi_value Close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  void *r = NULL;
  if (argc < 1 || napi_get_value_external(env, argv[0], &r) != napi_ok || r == NULL) {
    napi_throw_type_error(env, "EINVAL", "not a socket handle");
    return NULL;
  }
  close_and_unhook(r);
  return NULL;
}

static napi_value Send(napi_env env, napi_callback_info info) {
  socket_path_t path;
  size_t len;
  napi_value datagram;
  if (!path_and_arg(env, info, path, &len, &datagram)) return NULL;
  bool is_buffer = false;
  napi_is_buffer(env, datagram, &is_buffer);
  if (!is_buffer) {
    napi_throw_type_error(env, "EINVAL", "the datagram must be a Buffer");
    return NULL;
  }
  void *data;
  size_t size;
  napi_get_buffer_info(env, datagram, &data, &size);
  struct sockaddr_un addr;
  socklen_t addrlen = make_address(&addr, path, len);
  if (addrlen == 0) return throw_errno(env, ENAMETOOLONG, "send to", path);
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_errno(env, errno, "socket for", path);
  ssize_t sent = sendto(fd, data, size, MSG_NOSIGNAL | MSG_DONTWAIT, (struct sockaddr *)&addr, addrlen);
  int e = errno;
  close(fd);
  if (sent < 0) return throw_errno(env, e, "send to", path);
  return NULL;
}

static napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"bind", NULL, Bind, NULL, NULL, NULL, napi_enumerable, NULL},
      {"close", NULL, Close, NULL, NULL, NULL, napi_enumerable, NULL},
      {"send", NULL, Send, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)

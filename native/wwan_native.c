// The few system calls Node has no API for. All logic stays in TypeScript.
#define _GNU_SOURCE
#include <node_api.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>
#include <uv.h>

static napi_value throw_errno(napi_env env, const char *what) {
  char msg[256];
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(errno));
  napi_throw_error(env, NULL, msg);
  return NULL;
}

static napi_value throw_uv(napi_env env, const char *what, int err) {
  char msg[256];
  snprintf(msg, sizeof msg, "%s: %s", what, uv_strerror(err));
  napi_throw_error(env, NULL, msg);
  return NULL;
}

static void set_prop_int(napi_env env, napi_value obj, const char *key, int v) {
  napi_value val;
  napi_create_int32(env, v, &val);
  napi_set_named_property(env, obj, key, val);
}

// openpty() -> { master, slave, path }: a pseudo-terminal pair, both ends raw (no echo, no line
// discipline), so it carries binary QMI/MBIM frames like a cdc-wdm character device.
static napi_value open_pty(napi_env env, napi_callback_info info) {
  (void)info;
  int master, slave;
  char name[128];
  struct termios tio;
  if (openpty(&master, &slave, name, NULL, NULL) != 0) return throw_errno(env, "openpty");
  if (tcgetattr(slave, &tio) != 0) {
    close(master);
    close(slave);
    return throw_errno(env, "tcgetattr");
  }
  cfmakeraw(&tio);
  if (tcsetattr(slave, TCSANOW, &tio) != 0) {
    close(master);
    close(slave);
    return throw_errno(env, "tcsetattr");
  }
  fcntl(master, F_SETFD, FD_CLOEXEC);
  fcntl(slave, F_SETFD, FD_CLOEXEC);
  napi_value obj, path;
  napi_create_object(env, &obj);
  set_prop_int(env, obj, "master", master);
  set_prop_int(env, obj, "slave", slave);
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &path);
  napi_set_named_property(env, obj, "path", path);
  return obj;
}

// tunOpen(name, flags) -> { fd, name }: /dev/net/tun attached to interface `name` (a template such
// as "wwan%d" lets the kernel pick) with the given ifr_flags; the kernel's chosen name comes back.
static napi_value tun_open(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  struct ifreq ifr;
  int32_t flags;
  size_t len;
  memset(&ifr, 0, sizeof ifr);
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 2 || napi_get_value_string_utf8(env, argv[0], ifr.ifr_name, IFNAMSIZ, &len) != napi_ok ||
      napi_get_value_int32(env, argv[1], &flags) != napi_ok) {
    napi_throw_type_error(env, NULL, "tunOpen(name: string, flags: number)");
    return NULL;
  }
  ifr.ifr_flags = (short)flags;
  int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  if (fd < 0) return throw_errno(env, "open /dev/net/tun");
  if (ioctl(fd, TUNSETIFF, &ifr) != 0) {
    int saved = errno;
    close(fd);
    errno = saved;
    return throw_errno(env, "TUNSETIFF");
  }
  napi_value obj, name;
  napi_create_object(env, &obj);
  set_prop_int(env, obj, "fd", fd);
  napi_create_string_utf8(env, ifr.ifr_name, strnlen(ifr.ifr_name, IFNAMSIZ), &name);
  napi_set_named_property(env, obj, "name", name);
  return obj;
}

// tunSetOffload(fd, flags): TUNSETOFFLOAD with TUN_F_* flags (checksum, TSO, USO) on a TUN opened
// with IFF_VNET_HDR. Throws with the kernel's reason (EINVAL: a flag it does not know), so the
// caller can retry with fewer.
static napi_value tun_set_offload(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  int32_t fd, flags;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 2 || napi_get_value_int32(env, argv[0], &fd) != napi_ok || napi_get_value_int32(env, argv[1], &flags) != napi_ok) {
    napi_throw_type_error(env, NULL, "tunSetOffload(fd: number, flags: number)");
    return NULL;
  }
  if (ioctl(fd, TUNSETOFFLOAD, (unsigned long)(unsigned int)flags) != 0) return throw_errno(env, "TUNSETOFFLOAD");
  return NULL;
}

// watchReadable(fd, callback) -> handle: calls callback(status) on the event loop whenever fd is
// readable (level-triggered; status < 0 is a -errno from libuv), until unwatch(handle). Node has no
// readiness API for a character device such as a TUN; without it every read would block a thread.
typedef struct {
  uv_poll_t poll;
  napi_env env;
  napi_ref callback;
  napi_async_context context;
  // Removed when the handle has closed: until then a worker's teardown waits (an open poll handle at
  // uv_loop_close aborts the process).
  napi_async_cleanup_hook_handle hook;
  int tearing_down;
} watch_t;

static void on_readable(uv_poll_t *poll, int status, int events) {
  watch_t *w = poll->data;
  napi_handle_scope scope;
  napi_value callback, recv, args[2];
  napi_open_handle_scope(w->env, &scope);
  napi_get_reference_value(w->env, w->callback, &callback);
  napi_get_global(w->env, &recv);
  napi_create_int32(w->env, status, &args[0]);
  napi_create_int32(w->env, events, &args[1]);
  // make_callback, not call_function: runs the microtasks and nextTicks the callback queues.
  if (napi_make_callback(w->env, w->context, recv, callback, 2, args, NULL) == napi_pending_exception) {
    // Nothing of ours is on the stack to catch it: make it the process's uncaught exception.
    napi_value error;
    napi_get_and_clear_last_exception(w->env, &error);
    napi_fatal_exception(w->env, error);
  }
  napi_close_handle_scope(w->env, scope);
}

static void on_closed(uv_handle_t *handle) {
  watch_t *w = handle->data;
  // At teardown the environment drops its references itself.
  if (!w->tearing_down) {
    napi_delete_reference(w->env, w->callback);
    napi_async_destroy(w->env, w->context);
  }
  napi_remove_async_cleanup_hook(w->hook);
  free(w);
}

// The environment (a worker thread, or the process) ends with the fd still watched: close the handle.
static void on_teardown(napi_async_cleanup_hook_handle hook, void *arg) {
  watch_t *w = arg;
  (void)hook;
  w->tearing_down = 1;
  if (!uv_is_closing((uv_handle_t *)&w->poll)) uv_close((uv_handle_t *)&w->poll, on_closed);
}

static napi_value watch_readable(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], resource_name, handle;
  int32_t fd;
  uv_loop_t *loop;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 2 || napi_get_value_int32(env, argv[0], &fd) != napi_ok) {
    napi_throw_type_error(env, NULL, "watchReadable(fd: number, callback: (status: number) => void)");
    return NULL;
  }
  watch_t *w = calloc(1, sizeof *w);
  if (!w) return throw_errno(env, "watchReadable");
  napi_get_uv_event_loop(env, &loop);
  int err = uv_poll_init(loop, &w->poll, fd);
  if (err != 0) {
    free(w);
    return throw_uv(env, "watchReadable", err);
  }
  w->env = env;
  w->poll.data = w;
  napi_add_async_cleanup_hook(env, on_teardown, w, &w->hook);
  napi_create_reference(env, argv[1], 1, &w->callback);
  napi_create_string_utf8(env, "wwankit:watchReadable", NAPI_AUTO_LENGTH, &resource_name);
  napi_async_init(env, NULL, resource_name, &w->context);
  err = uv_poll_start(&w->poll, UV_READABLE, on_readable);
  if (err != 0) {
    uv_close((uv_handle_t *)&w->poll, on_closed);
    return throw_uv(env, "watchReadable", err);
  }
  napi_create_external(env, w, NULL, NULL, &handle);
  return handle;
}

static napi_value unwatch(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  watch_t *w = NULL;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || napi_get_value_external(env, argv[0], (void **)&w) != napi_ok || !w) {
    napi_throw_type_error(env, NULL, "unwatch(handle)");
    return NULL;
  }
  if (!uv_is_closing((uv_handle_t *)&w->poll)) uv_close((uv_handle_t *)&w->poll, on_closed);
  return NULL;
}

// watchWritable(handle, on): also (or no longer) calls back while the fd is writable, for a writer
// whose device said EAGAIN (cdc-wdm while its last message is still on the bus). The callback's
// second argument says which (UV_READABLE 1, UV_WRITABLE 2).
static napi_value watch_writable(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  watch_t *w = NULL;
  bool on = false;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 2 || napi_get_value_external(env, argv[0], (void **)&w) != napi_ok || !w || napi_get_value_bool(env, argv[1], &on) != napi_ok) {
    napi_throw_type_error(env, NULL, "watchWritable(handle, on: boolean)");
    return NULL;
  }
  if (uv_is_closing((uv_handle_t *)&w->poll)) return NULL;
  int err = uv_poll_start(&w->poll, UV_READABLE | (on ? UV_WRITABLE : 0), on_readable);
  if (err != 0) return throw_uv(env, "watchWritable", err);
  return NULL;
}

// Abstract unix socket names are matched by exact length. libuv (and so Node) binds and connects
// with the whole 108-byte sun_path, NUL-padded, which never meets libqmi's or libmbim's exact names.
// These take the name without the leading NUL and return a close-on-exec fd for net.Server/Socket.
static int abstract_address(napi_env env, napi_callback_info info, struct sockaddr_un *addr, socklen_t *len) {
  size_t argc = 1, n = 0;
  napi_value argv[1];
  char name[sizeof addr->sun_path];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || napi_get_value_string_utf8(env, argv[0], name, sizeof name - 1, &n) != napi_ok || n == 0) {
    napi_throw_type_error(env, NULL, "expected an abstract socket name");
    return -1;
  }
  memset(addr, 0, sizeof *addr);
  addr->sun_family = AF_UNIX;
  memcpy(addr->sun_path + 1, name, n);
  *len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
  return 0;
}

static napi_value abstract_socket(napi_env env, napi_callback_info info, int listening) {
  struct sockaddr_un addr;
  socklen_t len;
  if (abstract_address(env, info, &addr, &len) != 0) return NULL;
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_errno(env, "socket");
  int r = listening ? bind(fd, (struct sockaddr *)&addr, len) : connect(fd, (struct sockaddr *)&addr, len);
  if (r == 0 && listening) r = listen(fd, 128);
  if (r != 0) {
    int e = errno;
    close(fd);
    errno = e;
    return throw_errno(env, listening ? "bind" : "connect");
  }
  napi_value out;
  napi_create_int32(env, fd, &out);
  return out;
}

static napi_value abstract_listen(napi_env env, napi_callback_info info) { return abstract_socket(env, info, 1); }
static napi_value abstract_connect(napi_env env, napi_callback_info info) { return abstract_socket(env, info, 0); }

void register_qrtr(napi_env env, napi_value exports);  // qrtr.c
void register_packet(napi_env env, napi_value exports);  // packet.c

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  register_qrtr(env, exports);
  register_packet(env, exports);
  napi_create_function(env, "openPty", NAPI_AUTO_LENGTH, open_pty, NULL, &fn);
  napi_set_named_property(env, exports, "openPty", fn);
  napi_create_function(env, "tunOpen", NAPI_AUTO_LENGTH, tun_open, NULL, &fn);
  napi_set_named_property(env, exports, "tunOpen", fn);
  napi_create_function(env, "tunSetOffload", NAPI_AUTO_LENGTH, tun_set_offload, NULL, &fn);
  napi_set_named_property(env, exports, "tunSetOffload", fn);
  napi_create_function(env, "watchReadable", NAPI_AUTO_LENGTH, watch_readable, NULL, &fn);
  napi_set_named_property(env, exports, "watchReadable", fn);
  napi_create_function(env, "unwatch", NAPI_AUTO_LENGTH, unwatch, NULL, &fn);
  napi_set_named_property(env, exports, "unwatch", fn);
  napi_create_function(env, "watchWritable", NAPI_AUTO_LENGTH, watch_writable, NULL, &fn);
  napi_set_named_property(env, exports, "watchWritable", fn);
  napi_create_function(env, "abstractListen", NAPI_AUTO_LENGTH, abstract_listen, NULL, &fn);
  napi_set_named_property(env, exports, "abstractListen", fn);
  napi_create_function(env, "abstractConnect", NAPI_AUTO_LENGTH, abstract_connect, NULL, &fn);
  napi_set_named_property(env, exports, "abstractConnect", fn);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)

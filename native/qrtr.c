// AF_QIPCRTR datagram sockets (the kernel's IPC router): socket + bind to a fresh local port,
// sendto/recvfrom with a {node, port} address. Readiness comes from watchReadable; close with fs.closeSync.
#define _GNU_SOURCE
#include <node_api.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/qrtr.h>

#ifndef AF_QIPCRTR
#define AF_QIPCRTR 42
#endif

// The largest datagram QRTR carries is bounded by the kernel (64 KiB); recvfrom truncates past it.
#define QRTR_MAX_DATAGRAM 65536

static napi_value qrtr_throw(napi_env env, const char *what, int err) {
  char msg[256], code[32];
  napi_value error, message, code_value;
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
  snprintf(code, sizeof code, "%d", err);
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &message);
  napi_create_error(env, NULL, message, &error);
  napi_create_int32(env, err, &code_value);
  napi_set_named_property(env, error, "errno", code_value);
  napi_throw(env, error);
  return NULL;
}

static void set_u32(napi_env env, napi_value obj, const char *key, uint32_t v) {
  napi_value val;
  napi_create_uint32(env, v, &val);
  napi_set_named_property(env, obj, key, val);
}

// qrtrOpen() -> { fd, node, port }: a non-blocking, close-on-exec socket bound to a port the kernel picks.
static napi_value qrtr_open(napi_env env, napi_callback_info info) {
  (void)info;
  struct sockaddr_qrtr sq;
  socklen_t len = sizeof sq;
  int fd = socket(AF_QIPCRTR, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return qrtr_throw(env, "socket(AF_QIPCRTR)", errno);
  // An unbound socket reports the local node with port 0; binding port 0 asks for a fresh port.
  if (getsockname(fd, (struct sockaddr *)&sq, &len) != 0 || bind(fd, (struct sockaddr *)&sq, sizeof sq) != 0 ||
      (len = sizeof sq, getsockname(fd, (struct sockaddr *)&sq, &len)) != 0) {
    int e = errno;
    close(fd);
    return qrtr_throw(env, "bind(AF_QIPCRTR)", e);
  }
  napi_value out, fdv;
  napi_create_object(env, &out);
  napi_create_int32(env, fd, &fdv);
  napi_set_named_property(env, out, "fd", fdv);
  set_u32(env, out, "node", sq.sq_node);
  set_u32(env, out, "port", sq.sq_port);
  return out;
}

static int get_u32(napi_env env, napi_value v, uint32_t *out) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok || d < 0 || d > 4294967295.0 || d != (double)(uint32_t)d) return -1;
  *out = (uint32_t)d;
  return 0;
}

// qrtrSend(fd, node, port, bytes) -> sent length; a full queue (EAGAIN) returns -1 for the caller to count.
static napi_value qrtr_send(napi_env env, napi_callback_info info) {
  size_t argc = 4, len = 0;
  napi_value argv[4], out;
  int32_t fd;
  uint32_t node, port;
  void *data = NULL;
  bool typed = false;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 4 || napi_get_value_int32(env, argv[0], &fd) != napi_ok || get_u32(env, argv[1], &node) != 0 ||
      get_u32(env, argv[2], &port) != 0 || napi_is_typedarray(env, argv[3], &typed) != napi_ok || !typed) {
    napi_throw_type_error(env, NULL, "qrtrSend(fd, node: u32, port: u32, bytes: Uint8Array)");
    return NULL;
  }
  napi_typedarray_type type;
  napi_get_typedarray_info(env, argv[3], &type, &len, &data, NULL, NULL);
  if (type != napi_uint8_array) {
    napi_throw_type_error(env, NULL, "qrtrSend: bytes must be a Uint8Array");
    return NULL;
  }
  struct sockaddr_qrtr sq = {.sq_family = AF_QIPCRTR, .sq_node = node, .sq_port = port};
  ssize_t n = sendto(fd, data, len, MSG_DONTWAIT, (struct sockaddr *)&sq, sizeof sq);
  if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return qrtr_throw(env, "sendto(AF_QIPCRTR)", errno);
  napi_create_int32(env, n < 0 ? -1 : (int32_t)n, &out);
  return out;
}

// qrtrRecv(fd) -> { node, port, data } or null when nothing is queued.
static napi_value qrtr_recv(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out, buffer;
  int32_t fd;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || napi_get_value_int32(env, argv[0], &fd) != napi_ok) {
    napi_throw_type_error(env, NULL, "qrtrRecv(fd)");
    return NULL;
  }
  unsigned char *buf = malloc(QRTR_MAX_DATAGRAM);
  if (!buf) return qrtr_throw(env, "qrtrRecv", ENOMEM);
  struct sockaddr_qrtr sq;
  socklen_t len = sizeof sq;
  memset(&sq, 0, sizeof sq);
  ssize_t n = recvfrom(fd, buf, QRTR_MAX_DATAGRAM, MSG_DONTWAIT, (struct sockaddr *)&sq, &len);
  if (n < 0) {
    int e = errno;
    free(buf);
    if (e == EAGAIN || e == EWOULDBLOCK) {
      napi_get_null(env, &out);
      return out;
    }
    return qrtr_throw(env, "recvfrom(AF_QIPCRTR)", e);
  }
  void *copy = NULL;
  napi_create_buffer_copy(env, (size_t)n, buf, &copy, &buffer);
  free(buf);
  napi_create_object(env, &out);
  set_u32(env, out, "node", sq.sq_node);
  set_u32(env, out, "port", sq.sq_port);
  napi_set_named_property(env, out, "data", buffer);
  return out;
}

void register_qrtr(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "qrtrOpen", NAPI_AUTO_LENGTH, qrtr_open, NULL, &fn);
  napi_set_named_property(env, exports, "qrtrOpen", fn);
  napi_create_function(env, "qrtrSend", NAPI_AUTO_LENGTH, qrtr_send, NULL, &fn);
  napi_set_named_property(env, exports, "qrtrSend", fn);
  napi_create_function(env, "qrtrRecv", NAPI_AUTO_LENGTH, qrtr_recv, NULL, &fn);
  napi_set_named_property(env, exports, "qrtrRecv", fn);
}

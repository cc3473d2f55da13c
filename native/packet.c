// AF_PACKET datagram sockets bound to one interface: the payload after the link-layer header, both
// ways. The kernel datapath's DSS streams use them on cdc_mbim's VLANs 256..511. Readiness comes from
// watchReadable; close with fs.closeSync.
#define _GNU_SOURCE
#include <node_api.h>
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

// A datagram larger than any link's MTU here (64 KiB) is truncated by recvfrom.
#define PACKET_MAX_DATAGRAM 65536

static napi_value packet_throw(napi_env env, const char *what, int err) {
  char msg[256];
  napi_value error, message, code;
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &message);
  napi_create_error(env, NULL, message, &error);
  napi_create_int32(env, err, &code);
  napi_set_named_property(env, error, "errno", code);
  napi_throw(env, error);
  return NULL;
}

// packetOpen(ifname) -> { fd, ifindex }: non-blocking, close-on-exec, receiving every protocol on that
// interface only (created with protocol 0 so nothing from other interfaces is queued before bind).
static napi_value packet_open(napi_env env, napi_callback_info info) {
  size_t argc = 1, n = 0;
  napi_value argv[1], out, v;
  char name[IF_NAMESIZE + 1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || napi_get_value_string_utf8(env, argv[0], name, sizeof name, &n) != napi_ok || n == 0 || n > IF_NAMESIZE - 1) {
    napi_throw_type_error(env, NULL, "packetOpen(ifname: string of 1..15 characters)");
    return NULL;
  }
  unsigned int ifindex = if_nametoindex(name);
  if (ifindex == 0) return packet_throw(env, "if_nametoindex", errno);
  int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return packet_throw(env, "socket(AF_PACKET)", errno);
  struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL), .sll_ifindex = (int)ifindex};
  if (bind(fd, (struct sockaddr *)&sll, sizeof sll) != 0) {
    int e = errno;
    close(fd);
    return packet_throw(env, "bind(AF_PACKET)", e);
  }
  napi_create_object(env, &out);
  napi_create_int32(env, fd, &v);
  napi_set_named_property(env, out, "fd", v);
  napi_create_uint32(env, ifindex, &v);
  napi_set_named_property(env, out, "ifindex", v);
  return out;
}

// packetSend(fd, ifindex, ethertype, bytes) -> bytes sent, or -errno (a full queue, a datagram longer
// than the MTU, the interface down or gone): the caller counts it, nothing throws for the datagram.
// The destination is the broadcast address: the links this serves strip the header.
static napi_value packet_send(napi_env env, napi_callback_info info) {
  size_t argc = 4, len = 0;
  napi_value argv[4], out;
  int32_t fd, ifindex, ethertype;
  void *data = NULL;
  bool typed = false;
  napi_typedarray_type type = napi_int8_array;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 4 || napi_get_value_int32(env, argv[0], &fd) != napi_ok || napi_get_value_int32(env, argv[1], &ifindex) != napi_ok ||
      napi_get_value_int32(env, argv[2], &ethertype) != napi_ok || ethertype < 0 || ethertype > 0xffff ||
      napi_is_typedarray(env, argv[3], &typed) != napi_ok || !typed ||
      napi_get_typedarray_info(env, argv[3], &type, &len, &data, NULL, NULL) != napi_ok || type != napi_uint8_array) {
    napi_throw_type_error(env, NULL, "packetSend(fd, ifindex, ethertype: u16, bytes: Uint8Array)");
    return NULL;
  }
  struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_protocol = htons((uint16_t)ethertype), .sll_ifindex = ifindex, .sll_halen = ETH_ALEN};
  memset(sll.sll_addr, 0xff, ETH_ALEN);
  ssize_t n = sendto(fd, data, len, MSG_DONTWAIT, (struct sockaddr *)&sll, sizeof sll);
  napi_create_int32(env, n < 0 ? -errno : (int32_t)n, &out);
  return out;
}

// packetRecv(fd) -> the next datagram that arrived on the interface (what this host sent is skipped),
// or null when none is queued. A socket error (ENETDOWN: the interface went away) throws with errno.
static napi_value packet_recv(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out;
  int32_t fd;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || napi_get_value_int32(env, argv[0], &fd) != napi_ok) {
    napi_throw_type_error(env, NULL, "packetRecv(fd)");
    return NULL;
  }
  unsigned char *buf = malloc(PACKET_MAX_DATAGRAM);
  if (!buf) return packet_throw(env, "packetRecv", ENOMEM);
  for (;;) {
    struct sockaddr_ll sll;
    socklen_t alen = sizeof sll;
    ssize_t n = recvfrom(fd, buf, PACKET_MAX_DATAGRAM, MSG_DONTWAIT, (struct sockaddr *)&sll, &alen);
    if (n < 0) {
      int e = errno;
      free(buf);
      if (e == EAGAIN || e == EWOULDBLOCK) {
        napi_get_null(env, &out);
        return out;
      }
      return packet_throw(env, "recvfrom(AF_PACKET)", e);
    }
    if (sll.sll_pkttype == PACKET_OUTGOING) continue;
    void *copy = NULL;
    napi_create_buffer_copy(env, (size_t)n, buf, &copy, &out);
    free(buf);
    return out;
  }
}

void register_packet(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "packetOpen", NAPI_AUTO_LENGTH, packet_open, NULL, &fn);
  napi_set_named_property(env, exports, "packetOpen", fn);
  napi_create_function(env, "packetSend", NAPI_AUTO_LENGTH, packet_send, NULL, &fn);
  napi_set_named_property(env, exports, "packetSend", fn);
  napi_create_function(env, "packetRecv", NAPI_AUTO_LENGTH, packet_recv, NULL, &fn);
  napi_set_named_property(env, exports, "packetRecv", fn);
}

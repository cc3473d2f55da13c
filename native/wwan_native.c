// The few system calls Node has no API for. All logic stays in TypeScript.
#define _GNU_SOURCE
#include <node_api.h>
#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static napi_value throw_errno(napi_env env, const char *what) {
  char msg[256];
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(errno));
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

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "openPty", NAPI_AUTO_LENGTH, open_pty, NULL, &fn);
  napi_set_named_property(env, exports, "openPty", fn);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)

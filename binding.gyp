{
  "targets": [
    {
      "target_name": "wwan_native",
      "sources": ["native/wwan_native.c", "native/qrtr.c", "native/packet.c"],
      "libraries": ["-lutil"],
      "cflags": ["-Wall", "-Wextra", "-O2"]
    }
  ]
}

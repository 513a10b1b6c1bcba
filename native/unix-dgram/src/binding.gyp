{
  "targets": [
    {
      "target_name": "unix_dgram",
      "sources": ["unix_dgram.c"],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-Werror", "-pthread"],
      "ldflags": ["-pthread"]
    }
  ]
}

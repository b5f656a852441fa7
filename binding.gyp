{
  "targets": [
    {
      "target_name": "hbd_native",
      "sources": [
        "native/addon/addon.cc",
        "<!@(ls -1 native/src/*.c)"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "native/include"
      ],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "_GNU_SOURCE"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags": ["-Wall", "-Wextra", "-Werror", "-O2", "-g"],
      "cflags_c": ["-std=gnu11"],
      "cflags_cc": ["-std=gnu++17", "-fexceptions"],
      "libraries": ["-lpthread"]
    }
  ]
}

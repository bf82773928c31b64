{
  # The one build of castellan's addon. Each native subsystem lists its sources in its own
  # block below; optional backends (verbs, fabric) are switched on by header probes so the
  # addon always builds, and report at run time which backends they were compiled with.
  "variables": {
    "castellan_have_verbs%": "<!(node ci/probe-header.cjs infiniband/verbs.h)",
    "castellan_have_fabric%": "<!(node ci/probe-header.cjs rdma/fabric.h)"
  },
  "targets": [
    {
      "target_name": "castellan",
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17", "-std=gnu++20"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-Wno-unused-parameter", "-O2", "-fexceptions"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_DEPRECATED", "NAPI_CPP_EXCEPTIONS"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "native"],
      "sources": [
        "native/addon.cc",
        "native/common/crc32c.cc",
        "native/common/info.cc"
      ],
      "libraries": ["-lrt", "-lpthread"],
      "conditions": [
        ["castellan_have_verbs=='1'", {
          "defines": ["CASTELLAN_HAVE_VERBS=1"],
          "libraries": ["-libverbs"]
        }],
        ["castellan_have_fabric=='1'", {
          "defines": ["CASTELLAN_HAVE_FABRIC=1"],
          "libraries": ["-lfabric"]
        }]
      ]
    }
  ]
}

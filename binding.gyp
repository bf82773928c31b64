{
  # The one build of castellan's addon. Each native subsystem lists its sources in its own
  # block below; optional backends (verbs, fabric) are switched on by header probes so the
  # addon always builds, and report at run time which backends they were compiled with.
  "variables": {
    "castellan_have_verbs%": "<!(node ci/probe-header.cjs infiniband/verbs.h rdma/rdma_cma.h)",
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
        "native/common/info.cc",
        "native/ramcast/layout.cc",
        "native/ramcast/server_core.cc",
        "native/ramcast/client_core.cc",
        "native/ramcast/ramcast_binding.cc",
        "native/ramcast/core_js.cc", "native/ramcast/mailbox.cc", "native/ramcast/endpoint.cc", "native/ramcast/driver.cc", "native/ramcast/driver_js.cc",
        "native/tsig/bignum.cc",
        "native/tsig/pkcs1.cc",
        "native/tsig/proof_hash.cc",
        "native/tsig/fixed_base.cc",
        "native/tsig/key.cc",
        "native/tsig/keygen.cc",
        "native/tsig/partial.cc",
        "native/tsig/verify_share.cc",
        "native/tsig/combine.cc",
        "native/tsig/tsig_module.cc",
        "native/tsig/merkle_hash.cc",
        "native/rma/process_liveness.cc",
        "native/rma/bounds.cc",
        "native/rma/shm_segment.cc",
        "native/rma/shm_region.cc",
        "native/rma/shm_connection.cc",
        "native/rma/poller.cc",
        "native/rma/rma_factory.cc",
        "native/rma/unbuilt_backends.cc",
        "native/rma/region_js.cc",
        "native/rma/connection_js.cc",
        "native/rma/poller_js.cc",
        "native/rma/ping_pong.cc",
        "native/rma/rma_module.cc",
        "native/mcast/mcast_socket.cc",
        "native/mcast/mcast_js.cc"
      ],
      "libraries": ["-lrt", "-lpthread"],
      "conditions": [
        ["castellan_have_verbs==1", {
          "defines": ["CASTELLAN_HAVE_VERBS=1"],
          "sources": ["native/rma/verbs_device.cc", "native/rma/verbs_region.cc", "native/rma/verbs_connection.cc"],
          "libraries": ["-libverbs", "-lrdmacm"]
        }],
        ["castellan_have_fabric==1", {
          "defines": ["CASTELLAN_HAVE_FABRIC=1"],
          "sources": ["native/rma/fabric_endpoint.cc", "native/rma/fabric_region.cc", "native/rma/fabric_connection.cc"],
          "libraries": ["-lfabric"]
        }]
      ]
    }
  ]
}

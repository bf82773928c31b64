;; The shm write protocol's atomic steps for JS writers (src/rma/shm-writer.ts), as
;; WebAssembly: V8 compiles wasm atomics to single locked instructions, where JS Atomics.*
;; are builtin calls of 15-25 ns each. Same steps and words as native/rma/shm_connection.cc
;; (enter, memcpy, commit, leave): change them together. Memory 0 starts with an alias of
;; the peer's whole segment (ShmSegment::alias_into), so header words are byte addresses.
;; Regenerate src/rma/shm-gate-wasm.ts after editing: npm run wasm.
(module
  (import "shm" "memory" (memory 1))
  ;; byte addresses in the alias
  (import "shm" "state" (global $state i32))
  (import "shm" "doorbell" (global $doorbell i32))
  (import "shm" "sleepers" (global $sleepers i32))
  (import "shm" "busy" (global $busy i32))
  (import "shm" "keyLow" (global $key_low i32))
  (import "shm" "keyHigh" (global $key_high i32))
  ;; values to compare with: the open state, and this connection's grant key
  (import "shm" "open" (global $open i32))
  (import "shm" "grantLow" (global $grant_low i32))
  (import "shm" "grantHigh" (global $grant_high i32))

  ;; Before the copy. 0: go ahead (busy raised); 1: the owner closed the region; 2: the grant
  ;; was revoked. Fencing (spec/ramcast.md §6) is Dekker's: busy += 1, then read the key;
  ;; revoke stores key = 0, then waits for busy == 0, so one side sees the other. A key half
  ;; torn by a concurrent revoke only happens while busy is raised, which revoke waits out.
  (func (export "enter") (result i32)
    (if (i32.ne (i32.atomic.load (global.get $state)) (global.get $open))
      (then (return (i32.const 1))))
    (drop (i32.atomic.rmw.add (global.get $busy) (i32.const 1)))
    (if (i32.or
          (i32.ne (i32.atomic.load (global.get $key_low)) (global.get $grant_low))
          (i32.ne (i32.atomic.load (global.get $key_high)) (global.get $grant_high)))
      (then
        (drop (i32.atomic.rmw.sub (global.get $busy) (i32.const 1)))
        (return (i32.const 2))))
    (i32.const 0))

  ;; After the copy: ring the doorbell (a full barrier: the bytes are visible before it
  ;; moves), lower busy, and return the sleeper count (non-zero: the caller owes a FUTEX_WAKE).
  (func (export "commit") (result i32)
    (drop (i32.atomic.rmw.add (global.get $doorbell) (i32.const 1)))
    (drop (i32.atomic.rmw.sub (global.get $busy) (i32.const 1)))
    (i32.atomic.load (global.get $sleepers)))
)

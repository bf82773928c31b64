// The one failure shape of every native subsystem: a message plus a stable ERR_CASTELLAN_*
// code. Plain C++ (no N-API), so code that runs on worker or I/O threads can throw it;
// errors.h turns it into a JS Error with that code on the main thread.
#pragma once
#include <stdexcept>
#include <string>

namespace castellan {

class CodedError : public std::runtime_error {
 public:
  CodedError(std::string code, const std::string& message) : std::runtime_error(message), code_(std::move(code)) {}
  const std::string& code() const { return code_; }

 private:
  std::string code_;
};

}  // namespace castellan

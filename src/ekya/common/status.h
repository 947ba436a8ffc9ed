// Status and Result<T>: errors as values at module boundaries.
//
// A Status is either OK or carries a code and a human-readable message that
// names what failed (a file, a setting, a stream). Result<T> holds either a
// value or a non-OK Status. Both are cheap to move and are not thread-safe to
// mutate concurrently (like any value type).
//
// Helpers:
//   EKYA_RETURN_IF_ERROR(expr)      returns the Status of expr when it is not OK.
//   EKYA_ASSIGN_OR_RETURN(lhs, expr) unwraps a Result or returns its Status.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace ekya {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // a bad setting, argument or input value
  kNotFound,            // a file, key, stream or policy that does not exist
  kCorrupt,             // a file whose content is malformed
  kIoError,             // reading or writing failed
  kFailedPrecondition,  // the call is not allowed in the current state
  kPermissionDenied,    // the label firewall refused a request
  kResourceExhausted,   // not enough data, memory or capacity
  kInternal,            // an exception or a broken invariant, caught at a boundary
};

const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status Corrupt(std::string m) { return {StatusCode::kCorrupt, std::move(m)}; }
  static Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
  static Status FailedPrecondition(std::string m) { return {StatusCode::kFailedPrecondition, std::move(m)}; }
  static Status PermissionDenied(std::string m) { return {StatusCode::kPermissionDenied, std::move(m)}; }
  static Status ResourceExhausted(std::string m) { return {StatusCode::kResourceExhausted, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "invalid argument: <message>" or "OK".
  std::string ToString() const;
  // Returns a copy whose message is prefixed by `context: `. OK stays OK.
  Status WithContext(const std::string& context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Holds a T or a non-OK Status. Accessing value() of an error is a programming
// error (asserted in debug builds).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT
    assert(!status_.ok() && "Result constructed from an OK status");
    if (status_.ok()) status_ = Status::Internal("Result built from an OK status without a value");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  T& value() & { assert(ok()); return *value_; }
  const T& value() const& { assert(ok()); return *value_; }
  T&& value() && { assert(ok()); return std::move(*value_); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  // On a temporary, returns the value itself: `for (x : *MakeResult())` is safe.
  T operator*() && { return std::move(value()); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace ekya

#define EKYA_CONCAT_INNER_(a, b) a##b
#define EKYA_CONCAT_(a, b) EKYA_CONCAT_INNER_(a, b)

#define EKYA_RETURN_IF_ERROR(expr)              \
  do {                                          \
    ::ekya::Status ekya_status_ = (expr);       \
    if (!ekya_status_.ok()) return ekya_status_; \
  } while (0)

#define EKYA_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return tmp.status();               \
  lhs = std::move(tmp).value()

#define EKYA_ASSIGN_OR_RETURN(lhs, expr) \
  EKYA_ASSIGN_OR_RETURN_IMPL_(EKYA_CONCAT_(ekya_result_, __LINE__), lhs, expr)

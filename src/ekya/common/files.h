// Writing result files whole (a reader never sees half a file), and reading
// a text file back. Thread-safe for different paths.
#pragma once

#include <string>

#include "ekya/common/status.h"

namespace ekya {

// Writes text to `path` through a temporary file beside it and a rename,
// creating missing parent folders. IoError naming the path on failure.
Status WriteFileWhole(const std::string& path, const std::string& text);

// The whole content of `path`. NotFound when it cannot be opened, IoError
// when reading fails; both name the path.
Result<std::string> ReadFileWhole(const std::string& path);

}  // namespace ekya

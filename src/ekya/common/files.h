// Writing result files whole: a reader never sees half a file. Thread-safe
// for different paths.
#pragma once

#include <string>

#include "ekya/common/status.h"

namespace ekya {

// Writes text to `path` through a temporary file beside it and a rename,
// creating missing parent folders. IoError naming the path on failure.
Status WriteFileWhole(const std::string& path, const std::string& text);

}  // namespace ekya

#include "ekya/common/files.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace ekya {

Status WriteFileWhole(const std::string& path, const std::string& text) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path p(path);
  if (p.has_parent_path()) fs::create_directories(p.parent_path(), ec);
  if (ec) return Status::IoError("cannot create '" + p.parent_path().string() + "': " + ec.message());
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return Status::IoError("cannot write '" + tmp + "'");
    out << text;
    if (!out) return Status::IoError("writing '" + tmp + "' failed");
  }
  fs::rename(tmp, path, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    return Status::IoError("cannot rename '" + tmp + "' to '" + path + "': " + ec.message());
  }
  return Status::Ok();
}

Result<std::string> ReadFileWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot open '" + path + "'");
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::IoError("cannot read '" + path + "'");
  return text.str();
}

}  // namespace ekya

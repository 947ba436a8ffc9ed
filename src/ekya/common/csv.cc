#include "ekya/common/csv.h"

#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <sstream>

namespace ekya {

std::vector<std::string> SplitCsvLine(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c != '"') {
        fields.back() += c;
      } else if (i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else {
        quoted = false;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else if (c != '\r') {
      fields.back() += c;
    }
  }
  return fields;
}

bool ParseCsvInt(const std::string& text, int* out) {
  if (text.empty()) return false;
  errno = 0;
  char* end = nullptr;
  const long v = std::strtol(text.c_str(), &end, 10);
  if (errno != 0 || end != text.c_str() + text.size() || v < INT_MIN || v > INT_MAX) return false;
  *out = static_cast<int>(v);
  return true;
}

bool ParseCsvDouble(const std::string& text, double* out, bool finite_only) {
  if (text.empty()) return false;
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size()) return false;
  if (finite_only && (errno == ERANGE || !std::isfinite(v))) return false;
  *out = v;
  return true;
}

Status CsvError(const std::string& where, int line, const std::string& what) {
  return Status::Corrupt(where + " line " + std::to_string(line) + ": " + what);
}

Result<int> ForEachCsvRow(const std::string& text, const std::string& where, const std::string& header,
                          size_t columns,
                          const std::function<Status(int line_number, const std::string& line,
                                                     const std::vector<std::string>& fields)>& row) {
  std::stringstream in(text);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (n == 1) {
      if (line != header) return CsvError(where, n, "the header is not '" + header + "'");
      continue;
    }
    if (line.empty()) continue;
    const std::vector<std::string> fields = SplitCsvLine(line);
    if (columns > 0 && fields.size() != columns) {
      return CsvError(
          where, n, "expected " + std::to_string(columns) + " fields, got " + std::to_string(fields.size()));
    }
    EKYA_RETURN_IF_ERROR(row(n, line, fields));
  }
  return n;
}

}  // namespace ekya

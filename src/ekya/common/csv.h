// Reading the CSV files the system writes (run directories, profiles): one
// line into fields, and the fields into numbers. Pure functions; thread-safe.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "ekya/common/status.h"

namespace ekya {

// Splits one CSV line on commas. A field in double quotes may hold commas
// and doubled quotes ("" is one "); a carriage return outside quotes is
// dropped (CRLF files). An empty line gives one empty field.
std::vector<std::string> SplitCsvLine(const std::string& line);

// An integer filling the whole field (optional sign); false otherwise.
bool ParseCsvInt(const std::string& text, int* out);

// A number filling the whole field; with finite_only, "nan", "inf" and
// out-of-range values are refused. False otherwise (and *out unchanged).
bool ParseCsvDouble(const std::string& text, double* out, bool finite_only = true);

// Corrupt "<where> line <line>: <what>" (where: the file, e.g. "DIR/profiles.csv").
Status CsvError(const std::string& where, int line, const std::string& what);

// Reads a CSV text: its first line must be `header` (else CsvError "the
// header is not '...'"); then row(line number, line, fields) is called for
// every non-blank line, and with columns > 0 a row of another width is a
// CsvError "expected N fields, got M". Stops at row's first error. Returns
// the number of lines read, 0 for an empty text (the caller decides whether
// that is an error).
Result<int> ForEachCsvRow(const std::string& text, const std::string& where, const std::string& header,
                          size_t columns,
                          const std::function<Status(int line_number, const std::string& line,
                                                     const std::vector<std::string>& fields)>& row);

}  // namespace ekya

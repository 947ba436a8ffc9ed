// Reading the CSV files the system writes (run directories, profiles): one
// line into fields, and the fields into numbers. Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

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

}  // namespace ekya

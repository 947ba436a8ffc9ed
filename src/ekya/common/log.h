// Levelled, cheap logging over spdlog. The level is checked before any
// formatting. Messages go to stderr; metrics are never parsed out of logs.
// Thread-safe (spdlog's default logger is).
#pragma once

#include <spdlog/spdlog.h>

namespace ekya {
// Sets the global level from "trace", "debug", "info", "warn", "error", "off".
// Returns false for an unknown name (the level is then unchanged).
bool SetLogLevel(const std::string& name);
}  // namespace ekya

#define EKYA_LOG_DEBUG(...) SPDLOG_DEBUG(__VA_ARGS__)
#define EKYA_LOG_INFO(...) SPDLOG_INFO(__VA_ARGS__)
#define EKYA_LOG_WARN(...) SPDLOG_WARN(__VA_ARGS__)
#define EKYA_LOG_ERROR(...) SPDLOG_ERROR(__VA_ARGS__)

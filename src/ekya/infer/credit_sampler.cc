#include "ekya/infer/credit_sampler.h"

#include <algorithm>
#include <cmath>

namespace ekya {

namespace {
constexpr double kTolerance = 1e-9;
double CeilTolerant(double x) { return std::ceil(x - kTolerance); }
}  // namespace

double CreditSampler::FractionFromShare(double share, double r_max) {
  if (!(share > 0)) return 0.0;
  if (!(r_max > 0)) return 1.0;
  return std::min(1.0, share / r_max);
}

CreditSampler CreditSampler::FromShare(double share, double r_max) {
  return CreditSampler(FractionFromShare(share, r_max));
}

bool CreditSampler::Next() {
  const double before = credit_base_ + static_cast<double>(since_change_) * fraction_;
  const double after = credit_base_ + static_cast<double>(since_change_ + 1) * fraction_;
  const bool analysed = CeilTolerant(after) > CeilTolerant(before);
  ++since_change_;
  ++frames_seen_;
  if (analysed) ++frames_analysed_;
  return analysed;
}

void CreditSampler::SetFraction(double fraction) {
  if (!(fraction > 0)) fraction = 0;  // NaN too
  fraction = std::min(1.0, fraction);
  if (fraction == fraction_) return;
  credit_base_ += static_cast<double>(since_change_) * fraction_;
  since_change_ = 0;
  fraction_ = fraction;
}

void CreditSampler::Reset() {
  credit_base_ = 0;
  since_change_ = 0;
  frames_seen_ = 0;
  frames_analysed_ = 0;
}

}  // namespace ekya

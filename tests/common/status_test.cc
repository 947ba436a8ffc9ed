#include "ekya/common/status.h"

#include <gtest/gtest.h>

namespace ekya {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return Status::InvalidArgument("odd: " + std::to_string(x));
  return x / 2;
}

Result<int> Quarter(int x) {
  EKYA_ASSIGN_OR_RETURN(int h, Half(x));
  EKYA_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

Status CheckPositive(int x) {
  if (x <= 0) return Status::InvalidArgument("not positive");
  return Status::Ok();
}

Status CheckBoth(int a, int b) {
  EKYA_RETURN_IF_ERROR(CheckPositive(a));
  EKYA_RETURN_IF_ERROR(CheckPositive(b).WithContext("second"));
  return Status::Ok();
}

TEST(StatusTest, OkAndErrors) {
  EXPECT_TRUE(Status::Ok().ok());
  EXPECT_EQ(Status::Ok().ToString(), "OK");
  Status s = Status::NotFound("file x");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.ToString(), "not found: file x");
  EXPECT_EQ(s.WithContext("loading").message(), "loading: file x");
}

TEST(StatusTest, MacrosPropagate) {
  EXPECT_EQ(*Quarter(8), 2);
  Result<int> r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "odd: 3");
  EXPECT_TRUE(CheckBoth(1, 2).ok());
  EXPECT_EQ(CheckBoth(1, -2).message(), "second: not positive");
}

}  // namespace
}  // namespace ekya

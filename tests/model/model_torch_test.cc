// Tests of model/: shapes, FLOPs, scope, checkpoints, clones. A torch
// translation unit (it inspects logits and batch-norm buffers directly).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <thread>

#include "ekya/model/network_torch.h"
#include "train/synthetic.h"

namespace ekya {
namespace {

ModelSpec Narrow(const std::string& arch, int width = 8, int hidden = 16, int classes = 10) {
  ModelSpec s;
  s.arch = arch;
  s.width = width;
  s.hidden = hidden;
  s.num_classes = classes;
  return s;
}

std::string TempPath(const std::string& name) {
  return (std::filesystem::path(::testing::TempDir()) / ("ekya_model_test_" + name)).string();
}

TEST(ModelTest, NarrowResNetShapesAt28) {
  int64_t previous_params = 0;
  for (const std::string arch : {"resnet8", "resnet14", "resnet20"}) {
    SCOPED_TRACE(arch);
    auto model = Model::Create(Narrow(arch), 1);
    ASSERT_TRUE(model.ok()) << model.status().ToString();
    torch::NoGradGuard no_grad;
    torch::Tensor x = torch::randn({3, 1, 28, 28});
    EXPECT_EQ(model->impl().net->backbone->forward(x).sizes(), (std::vector<int64_t>{3, 32}));
    EXPECT_EQ(model->impl().net->forward(x).sizes(), (std::vector<int64_t>{3, 10}));
    const int64_t params = model->NumParameters(false);
    EXPECT_GT(params, previous_params);
    previous_params = params;
  }
}

TEST(ModelTest, TorchvisionShapes) {
  ModelSpec s;
  s.arch = "resnet18";
  s.in_channels = 3;
  s.input_size = 32;
  for (const std::string arch : {"resnet18", "resnet34"}) {
    SCOPED_TRACE(arch);
    s.arch = arch;
    auto model = Model::Create(s, 2);
    ASSERT_TRUE(model.ok()) << model.status().ToString();
    torch::NoGradGuard no_grad;
    EXPECT_EQ(model->impl().net->forward(torch::randn({2, 3, 32, 32})).sizes(),
              (std::vector<int64_t>{2, 10}));
  }
  s.arch = "resnet18";
  s.input_size = 224;
  auto model = Model::Create(s, 3);
  ASSERT_TRUE(model.ok());
  torch::NoGradGuard no_grad;
  EXPECT_EQ(model->impl().net->forward(torch::randn({1, 3, 224, 224})).sizes(),
            (std::vector<int64_t>{1, 10}));
  // torchvision's ResNet-18 has 11.2M parameters with a 512-unit head; ours
  // differs only in the head.
  EXPECT_NEAR(static_cast<double>(model->NumParameters(false)), 11.18e6, 0.05e6);
}

TEST(ModelTest, PredictResizesAndRepeatsChannels) {
  ModelSpec s;
  s.arch = "resnet18";
  s.in_channels = 3;
  s.input_size = 32;
  auto model = Model::Create(s, 4);
  ASSERT_TRUE(model.ok());
  LabelledImages data = testing_support::MakeBars(5, 4, 7);  // 28x28 grey
  auto predicted = model->Predict(data.images, 1, 2);
  ASSERT_TRUE(predicted.ok()) << predicted.status().ToString();
  ASSERT_EQ(predicted->size(), 5u);
  for (int p : *predicted) EXPECT_TRUE(p >= 0 && p < 10);
  torch::Tensor x = ImagesToTensor(data.images, 0, 5, s);
  EXPECT_EQ(x.sizes(), (std::vector<int64_t>{5, 3, 32, 32}));
}

TEST(ModelTest, ConfidenceIsTheSoftmaxOfThePredictedClass) {
  auto model = Model::Create(Narrow("resnet8", 4, 16, 4), 5);
  ASSERT_TRUE(model.ok());
  LabelledImages data = testing_support::MakeBars(7, 4, 3);
  auto plain = model->Predict(data.images, 1, 3);
  auto scored = model->PredictWithConfidence(data.images, 1, 3);  // batches of 3: 3 + 3 + 1
  ASSERT_TRUE(plain.ok() && scored.ok()) << scored.status().ToString();
  EXPECT_EQ(scored->classes, *plain);
  ASSERT_EQ(scored->confidence.size(), 7u);
  torch::InferenceMode guard;
  torch::Tensor probs = torch::softmax(model->impl().net->forward(ImagesToTensor(data.images, 0, 7, model->spec())), 1);
  for (size_t i = 0; i < 7; ++i) {
    EXPECT_NEAR(scored->confidence[i], probs[static_cast<int64_t>(i)][scored->classes[i]].item<double>(), 1e-6);
    EXPECT_GE(scored->confidence[i], 0.25 - 1e-9) << "the top class of 4 has at least a quarter";
  }
  auto empty = model->PredictWithConfidence(ImageBatch{}, 1);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->classes.empty() && empty->confidence.empty());
}

TEST(ModelTest, InputNormalisation) {
  ModelSpec s;
  ImageBatch b;
  b.rows = b.cols = 28;
  b.pixels.assign(28 * 28, 255);
  torch::Tensor x = ImagesToTensor(b, 0, 1, s);
  EXPECT_NEAR(x[0][0][0][0].item<double>(), (1.0 - 0.2860) / 0.3530, 1e-5);
}

TEST(ModelTest, FlopsHandChecked) {
  ModelSpec s = Narrow("resnet8", 2, 4, 3);
  s.input_size = 8;
  // stem 8->4: 2*9*1*2*16 = 576; stage 1 (2->2 at 4x4): 2 * 1152;
  // stage 2 (2->4 at 2x2): 576 + 1152 + shortcut 64; stage 3 (4->8 at 1x1):
  // 576 + 1152 + 64; head 2*8*4 + 2*4*3 = 88.
  const double forward = 576 + 2304 + 576 + 1152 + 64 + 576 + 1152 + 64 + 88;
  FlopCount all = ComputeFlops(s, TrainScope::kAllLayers);
  EXPECT_DOUBLE_EQ(all.forward, forward);
  EXPECT_DOUBLE_EQ(all.backward_trainable, 2 * forward);
  EXPECT_DOUBLE_EQ(all.train_step, 3 * forward);
  FlopCount head = ComputeFlops(s, TrainScope::kHeadOnly);
  EXPECT_DOUBLE_EQ(head.forward, forward);
  EXPECT_DOUBLE_EQ(head.backward_trainable, 2 * 88);
  EXPECT_DOUBLE_EQ(head.train_step, forward + 176);
}

TEST(ModelTest, FlopsMagnitudes) {
  ModelSpec r18;
  r18.arch = "resnet18";
  r18.in_channels = 3;
  r18.input_size = 224;
  r18.hidden = 512;
  r18.num_classes = 1000;
  // torchvision ResNet-18: 1.82 GMACs = 3.64 GFLOPs.
  const FlopCount f = ComputeFlops(r18, TrainScope::kAllLayers);
  EXPECT_GT(f.forward, 3.5e9);
  EXPECT_LT(f.forward, 3.8e9);
  auto model = Model::Create(Narrow("resnet8", 16, 64), 1);
  ASSERT_TRUE(model.ok());
  const FlopCount all = model->Flops(TrainScope::kAllLayers);
  const FlopCount head = model->Flops(TrainScope::kHeadOnly);
  EXPECT_GT(all.forward, 0);
  EXPECT_LT(head.backward_trainable, 0.05 * all.backward_trainable);
  EXPECT_GT(ComputeFlops(Narrow("resnet20", 16, 64), TrainScope::kAllLayers).forward, 2 * all.forward);
}

TEST(ModelTest, InvalidSpecIsRefused) {
  ModelSpec s;
  s.arch = "resnet9";
  auto model = Model::Create(s, 1);
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(model.status().message().find("resnet20"), std::string::npos);
  s.arch = "resnet8";
  s.in_channels = 2;
  EXPECT_FALSE(Model::Create(s, 1).ok());
  Model empty;
  EXPECT_EQ(empty.Predict(ImageBatch{}, 1).status().code(), StatusCode::kFailedPrecondition);
}

TEST(ModelTest, SeedDeterminesWeights) {
  auto a = Model::Create(Narrow("resnet8"), 5);
  auto b = Model::Create(Narrow("resnet8"), 5);
  auto c = Model::Create(Narrow("resnet8"), 6);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(a->FlatParameters(ModelPart::kAll), b->FlatParameters(ModelPart::kAll));
  EXPECT_NE(a->FlatParameters(ModelPart::kAll), c->FlatParameters(ModelPart::kAll));
}

TEST(ModelTest, HeadOnlyScopeFreezesBackboneAndBatchNorm) {
  auto model = Model::Create(Narrow("resnet8"), 1);
  ASSERT_TRUE(model.ok());
  const int64_t all = model->NumParameters(true);
  model->SetTrainScope(TrainScope::kHeadOnly);
  const int64_t head = model->NumParameters(true);
  EXPECT_LT(head, all);
  EXPECT_EQ(head, 32 * 16 + 16 + 16 * 10 + 10);
  Model::Impl& m = model->impl();
  std::vector<torch::Tensor> before;
  for (const auto& b : m.net->backbone->buffers()) before.push_back(b.clone());
  m.SetTrainingMode(true);
  EXPECT_FALSE(m.net->backbone->is_training());
  EXPECT_TRUE(m.net->head->is_training());
  m.net->forward(torch::randn({4, 1, 28, 28}) * 3 + 1);
  m.SetTrainingMode(false);
  auto after = m.net->backbone->buffers();
  ASSERT_EQ(before.size(), after.size());
  for (size_t i = 0; i < before.size(); ++i) EXPECT_TRUE(torch::equal(before[i], after[i]));
  for (const auto& p : m.net->backbone->parameters()) EXPECT_FALSE(p.requires_grad());
  model->SetTrainScope(TrainScope::kAllLayers);
  EXPECT_EQ(model->NumParameters(true), all);
}

// Makes the batch-norm statistics non-trivial, so checkpoints must carry them.
void StirBatchNorm(Model& model) {
  torch::NoGradGuard no_grad;
  model.impl().SetTrainingMode(true);
  model.impl().net->forward(torch::randn({8, 1, 28, 28}) * 2 + 0.5);
  model.impl().SetTrainingMode(false);
}

TEST(ModelTest, SaveLoadRoundTrip) {
  auto model = Model::Create(Narrow("resnet14", 8, 32, 4), 9);
  ASSERT_TRUE(model.ok());
  StirBatchNorm(*model);
  const std::string path = TempPath("roundtrip.pt");
  ASSERT_TRUE(model->Save(path).ok());
  auto loaded = Model::Load(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_TRUE(loaded->spec() == model->spec());
  LabelledImages data = testing_support::MakeBars(40, 4, 3);
  auto p1 = model->Predict(data.images, 1);
  auto p2 = loaded->Predict(data.images, 1);
  ASSERT_TRUE(p1.ok() && p2.ok());
  EXPECT_EQ(*p1, *p2);
  torch::NoGradGuard no_grad;
  torch::Tensor x = ImagesToTensor(data.images, 0, 40, model->spec());
  EXPECT_TRUE(torch::equal(model->impl().net->forward(x), loaded->impl().net->forward(x)));
  std::filesystem::remove(path);
}

TEST(ModelTest, MissingAndCorruptCheckpoints) {
  auto missing = Model::Load(TempPath("does_not_exist.pt"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);

  const std::string garbage = TempPath("garbage.pt");
  {
    std::ofstream out(garbage, std::ios::binary);
    out << "this is not a checkpoint at all";
  }
  auto bad = Model::Load(garbage);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kCorrupt);
  EXPECT_NE(bad.status().message().find(garbage), std::string::npos);

  // A real checkpoint cut in half.
  auto model = Model::Create(Narrow("resnet8"), 1);
  ASSERT_TRUE(model.ok());
  const std::string good = TempPath("good.pt");
  ASSERT_TRUE(model->Save(good).ok());
  const auto size = std::filesystem::file_size(good);
  std::filesystem::resize_file(good, size / 2);
  auto cut = Model::Load(good);
  ASSERT_FALSE(cut.ok());
  EXPECT_EQ(cut.status().code(), StatusCode::kCorrupt);
  std::filesystem::remove(garbage);
  std::filesystem::remove(good);
}

TEST(ModelTest, CloneIsDeep) {
  auto model = Model::Create(Narrow("resnet8"), 1);
  ASSERT_TRUE(model.ok());
  Model clone = model->Clone();
  ASSERT_TRUE(clone.valid());
  const auto before = clone.FlatParameters(ModelPart::kAll);
  EXPECT_EQ(before, model->FlatParameters(ModelPart::kAll));
  {
    torch::NoGradGuard no_grad;
    for (auto& p : model->impl().net->parameters()) p.add_(1.0);
  }
  EXPECT_EQ(clone.FlatParameters(ModelPart::kAll), before);
  EXPECT_NE(model->FlatParameters(ModelPart::kAll), before);
}

// Regression: Clone (which builds a network on one thread) once left the
// caller's thread budget at 1, so the benchmark measured "2 threads" on one.
TEST(ModelTest, ThreadBudgetIsSetByPredictAndKeptByClone) {
  auto model = Model::Create(Narrow("resnet8"), 1);
  ASSERT_TRUE(model.ok());
  ASSERT_TRUE(model->Predict(testing_support::MakeBars(2, 4, 1).images, 2).ok());
  EXPECT_EQ(at::get_num_threads(), 2);
  Model clone = model->Clone();
  EXPECT_EQ(at::get_num_threads(), 2);
  ASSERT_TRUE(model->Predict(testing_support::MakeBars(2, 4, 1).images, 1).ok());
  EXPECT_EQ(at::get_num_threads(), 1);
}

TEST(ModelTest, CopyBackboneAcrossHeads) {
  auto small = Model::Create(Narrow("resnet8", 8, 64), 1);
  auto wide = Model::Create(Narrow("resnet8", 8, 1024), 2);
  ASSERT_TRUE(small.ok() && wide.ok());
  EXPECT_NE(small->FlatParameters(ModelPart::kBackbone), wide->FlatParameters(ModelPart::kBackbone));
  ASSERT_TRUE(wide->CopyBackboneFrom(*small).ok());
  EXPECT_EQ(small->FlatParameters(ModelPart::kBackbone), wide->FlatParameters(ModelPart::kBackbone));
  auto other = Model::Create(Narrow("resnet14", 8, 64), 1);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(wide->CopyBackboneFrom(*other).code(), StatusCode::kInvalidArgument);
}

TEST(ModelTest, ConcurrentPredictOnDifferentModels) {
  auto a = Model::Create(Narrow("resnet8"), 1);
  auto b = Model::Create(Narrow("resnet8"), 2);
  ASSERT_TRUE(a.ok() && b.ok());
  LabelledImages data = testing_support::MakeBars(300, 4, 11);
  auto ea = a->Predict(data.images, 1);
  auto eb = b->Predict(data.images, 1);
  ASSERT_TRUE(ea.ok() && eb.ok());
  std::vector<int> ra, rb;
  std::thread ta([&] { ra = *a->Predict(data.images, 1, 64); });
  std::thread tb([&] { rb = *b->Predict(data.images, 1, 64); });
  ta.join();
  tb.join();
  EXPECT_EQ(ra, *ea);
  EXPECT_EQ(rb, *eb);
  auto acc = a->Accuracy(data, 1);
  ASSERT_TRUE(acc.ok());
  EXPECT_GE(*acc, 0.0);
  EXPECT_LE(*acc, 1.0);
  EXPECT_FALSE(a->Accuracy(LabelledImages{}, 1).ok());
}

}  // namespace
}  // namespace ekya

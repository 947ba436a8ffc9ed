// Inference over a stream's frames at a share (SPEC §2.1, §5). Torch-free
// header and implementation; the network runs through Model::Predict.
//
// RunInference decides frame by frame with the CreditSampler which frames are
// analysed, predicts those (batched, in eval mode under InferenceMode), and
// gives every skipped frame the previous prediction: the last analysed frame's
// class, carried across calls through *last_prediction, or -1 when nothing has
// been analysed yet (-1 never equals a label, so it counts as wrong).
// Chunk accuracy = CountCorrect(predictions, truth) / frames_total.
//
// Threads: the model runs on the calling thread with an intra-op budget of
// `threads` (see model.h). Thread-safety: concurrent calls are fine on
// different samplers and last_prediction slots (and on the same Model, if
// nobody trains it meanwhile).
// Failures: the Model's Status (FailedPrecondition for an empty model,
// InvalidArgument for malformed frames or threads < 1, Internal for libtorch
// errors); on failure the sampler and *last_prediction are left unchanged.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "ekya/common/status.h"
#include "ekya/data/image.h"
#include "ekya/infer/credit_sampler.h"
#include "ekya/model/model.h"

namespace ekya {

struct InferenceOutput {
  std::vector<int> predictions;   // one per frame; -1 where none existed yet
  std::vector<uint8_t> analysed;  // 1 where the frame was analysed
  int frames_total = 0;
  int frames_analysed = 0;
};

// last_prediction: in/out, -1 = none; may be nullptr (then -1 at the start and
// not returned). batch: Predict's batch size.
Result<InferenceOutput> RunInference(const Model& model, const ImageBatch& frames, CreditSampler& sampler,
                                     int* last_prediction, int threads, int batch = 256);

// Number of positions i < min(sizes) with predictions[i] == truth[i] and
// predictions[i] >= 0.
int CountCorrect(std::span<const int> predictions, std::span<const int> truth);

}  // namespace ekya

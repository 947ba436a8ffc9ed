#include "ekya/data/idx.h"

#include <zlib.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>

namespace ekya {
namespace {

constexpr uint32_t kImagesMagic = 0x00000803;
constexpr uint32_t kLabelsMagic = 0x00000801;
constexpr uint32_t kMaxSide = 1 << 14;
constexpr uint64_t kMaxBytes = uint64_t{1} << 34;  // 16 GiB: anything larger is a corrupt header

struct GzCloser {
  void operator()(gzFile_s* f) const {
    if (f != nullptr) gzclose(f);
  }
};
using GzFile = std::unique_ptr<gzFile_s, GzCloser>;

Result<GzFile> OpenForReading(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return Status::NotFound("no such file: '" + path + "'");
  if (std::filesystem::is_directory(path, ec))
    return Status::IoError("'" + path + "' is a directory, not an IDX file");
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) return Status::IoError("cannot open '" + path + "'");
  gzbuffer(f, 1 << 17);
  return GzFile(f);
}

// Reads exactly n bytes; returns how many were read, or an error for a broken
// gzip stream.
Result<uint64_t> ReadBytes(gzFile f, uint8_t* out, uint64_t n, const std::string& path) {
  uint64_t done = 0;
  while (done < n) {
    const unsigned chunk = static_cast<unsigned>(std::min<uint64_t>(n - done, 1u << 30));
    const int got = gzread(f, out + done, chunk);
    if (got < 0) {
      int errnum = 0;
      const char* msg = gzerror(f, &errnum);
      return Status::Corrupt("'" + path + "': broken gzip data (" + (msg ? msg : "?") + ")");
    }
    if (got == 0) break;
    done += static_cast<uint64_t>(got);
  }
  return done;
}

uint32_t BigEndian32(const uint8_t* b) {
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | uint32_t{b[3]};
}

void PutBigEndian32(uint32_t v, uint8_t* b) {
  b[0] = static_cast<uint8_t>(v >> 24);
  b[1] = static_cast<uint8_t>(v >> 16);
  b[2] = static_cast<uint8_t>(v >> 8);
  b[3] = static_cast<uint8_t>(v);
}

std::string Hex(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "0x%08x", v);
  return buf;
}

// Reads the magic number and `dims` dimensions.
Result<std::vector<uint32_t>> ReadHeader(gzFile f, uint32_t magic, int dims, const std::string& path) {
  std::array<uint8_t, 16> buf{};
  const uint64_t want = 4 + 4 * static_cast<uint64_t>(dims);
  EKYA_ASSIGN_OR_RETURN(uint64_t got, ReadBytes(f, buf.data(), want, path));
  if (got < 4) return Status::Corrupt("'" + path + "': truncated IDX header (" + std::to_string(got) + " bytes)");
  const uint32_t found = BigEndian32(buf.data());
  if (found != magic) {
    return Status::Corrupt("'" + path + "': bad IDX magic number " + Hex(found) + ", expected " + Hex(magic) +
                           (magic == kImagesMagic ? " (an image file)" : " (a label file)"));
  }
  if (got < want) return Status::Corrupt("'" + path + "': truncated IDX header (" + std::to_string(got) + " bytes)");
  std::vector<uint32_t> out;
  for (int i = 0; i < dims; ++i) out.push_back(BigEndian32(buf.data() + 4 + 4 * i));
  return out;
}

Status WriteAll(const std::string& path, const std::vector<uint8_t>& header, const uint8_t* data, uint64_t n) {
  gzFile f = gzopen(path.c_str(), "wb");
  if (f == nullptr) return Status::IoError("cannot open '" + path + "' for writing");
  GzFile guard(f);
  if (gzwrite(f, header.data(), static_cast<unsigned>(header.size())) != static_cast<int>(header.size()))
    return Status::IoError("cannot write '" + path + "'");
  uint64_t done = 0;
  while (done < n) {
    const unsigned chunk = static_cast<unsigned>(std::min<uint64_t>(n - done, 1u << 30));
    if (gzwrite(f, data + done, chunk) != static_cast<int>(chunk)) return Status::IoError("cannot write '" + path + "'");
    done += chunk;
  }
  if (gzclose(guard.release()) != Z_OK) return Status::IoError("cannot finish writing '" + path + "'");
  return Status::Ok();
}

}  // namespace

Result<ImageBatch> ReadIdxImages(const std::string& path) {
  EKYA_ASSIGN_OR_RETURN(GzFile file, OpenForReading(path));
  EKYA_ASSIGN_OR_RETURN(std::vector<uint32_t> dims, ReadHeader(file.get(), kImagesMagic, 3, path));
  const uint32_t count = dims[0], rows = dims[1], cols = dims[2];
  if (rows == 0 || cols == 0 || rows > kMaxSide || cols > kMaxSide) {
    return Status::Corrupt("'" + path + "': implausible image size " + std::to_string(rows) + "x" +
                           std::to_string(cols));
  }
  const uint64_t bytes = uint64_t{count} * rows * cols;
  if (bytes > kMaxBytes) return Status::Corrupt("'" + path + "': implausible image count " + std::to_string(count));
  ImageBatch batch;
  batch.rows = static_cast<int>(rows);
  batch.cols = static_cast<int>(cols);
  try {
    batch.pixels.resize(bytes);
  } catch (const std::exception& e) {
    return Status::ResourceExhausted("'" + path + "': cannot hold " + std::to_string(bytes) + " bytes: " + e.what());
  }
  EKYA_ASSIGN_OR_RETURN(uint64_t got, ReadBytes(file.get(), batch.pixels.data(), bytes, path));
  if (got < bytes) {
    return Status::Corrupt("'" + path + "': truncated: the header announces " + std::to_string(count) + " images of " +
                           std::to_string(rows) + "x" + std::to_string(cols) + " (" + std::to_string(bytes) +
                           " bytes) but only " + std::to_string(got) + " bytes follow");
  }
  return batch;
}

Result<std::vector<int>> ReadIdxLabels(const std::string& path) {
  EKYA_ASSIGN_OR_RETURN(GzFile file, OpenForReading(path));
  EKYA_ASSIGN_OR_RETURN(std::vector<uint32_t> dims, ReadHeader(file.get(), kLabelsMagic, 1, path));
  const uint32_t count = dims[0];
  std::vector<uint8_t> raw;
  try {
    raw.resize(count);
  } catch (const std::exception& e) {
    return Status::ResourceExhausted("'" + path + "': cannot hold " + std::to_string(count) + " labels: " + e.what());
  }
  EKYA_ASSIGN_OR_RETURN(uint64_t got, ReadBytes(file.get(), raw.data(), count, path));
  if (got < count) {
    return Status::Corrupt("'" + path + "': truncated: the header announces " + std::to_string(count) +
                           " labels but only " + std::to_string(got) + " follow");
  }
  return std::vector<int>(raw.begin(), raw.end());
}

Result<LabelledImages> LoadFashionMnist(const std::string& dir) {
  const std::filesystem::path root(dir);
  const std::array<std::pair<const char*, const char*>, 2> parts = {{
      {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"},
      {"t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"},
  }};
  // Check all four files first so that a missing dataset gets one clear message.
  for (const auto& [images_name, labels_name] : parts) {
    for (const char* name : {images_name, labels_name}) {
      const std::string path = (root / name).string();
      std::error_code ec;
      if (!std::filesystem::exists(path, ec)) {
        return Status::NotFound("Fashion-MNIST file '" + path + "' does not exist; the setting dataset.path points to '" +
                                dir + "'; Debian's package dataset-fashion-mnist provides the files in " +
                                kFashionMnistDefaultDir + " (apt-get install dataset-fashion-mnist)");
      }
    }
  }
  LabelledImages all;
  all.num_classes = kFashionMnistClasses;
  for (const auto& [images_name, labels_name] : parts) {
    const std::string images_path = (root / images_name).string();
    const std::string labels_path = (root / labels_name).string();
    EKYA_ASSIGN_OR_RETURN(ImageBatch images, ReadIdxImages(images_path));
    EKYA_ASSIGN_OR_RETURN(std::vector<int> labels, ReadIdxLabels(labels_path));
    if (images.size() != labels.size()) {
      return Status::Corrupt("'" + images_path + "' holds " + std::to_string(images.size()) + " images but '" +
                             labels_path + "' holds " + std::to_string(labels.size()) + " labels");
    }
    for (size_t i = 0; i < labels.size(); ++i) {
      if (labels[i] < 0 || labels[i] >= kFashionMnistClasses) {
        return Status::Corrupt("'" + labels_path + "': label " + std::to_string(labels[i]) + " of image " +
                               std::to_string(i) + " is outside [0, " + std::to_string(kFashionMnistClasses) + ")");
      }
    }
    if (all.images.rows == 0) {
      all.images.rows = images.rows;
      all.images.cols = images.cols;
    } else if (all.images.rows != images.rows || all.images.cols != images.cols) {
      return Status::Corrupt("'" + images_path + "' holds images of " + std::to_string(images.rows) + "x" +
                             std::to_string(images.cols) + " but the training images are " +
                             std::to_string(all.images.rows) + "x" + std::to_string(all.images.cols));
    }
    all.images.pixels.insert(all.images.pixels.end(), images.pixels.begin(), images.pixels.end());
    all.labels.insert(all.labels.end(), labels.begin(), labels.end());
  }
  return all;
}

Status WriteIdxImages(const std::string& path, const ImageBatch& images) {
  if (images.rows < 1 || images.cols < 1)
    return Status::InvalidArgument("WriteIdxImages('" + path + "'): the batch has no image shape");
  if (images.pixels.size() % images.pixels_per_image() != 0)
    return Status::InvalidArgument("WriteIdxImages('" + path + "'): pixel count is not a whole number of images");
  std::vector<uint8_t> header(16);
  PutBigEndian32(kImagesMagic, header.data());
  PutBigEndian32(static_cast<uint32_t>(images.size()), header.data() + 4);
  PutBigEndian32(static_cast<uint32_t>(images.rows), header.data() + 8);
  PutBigEndian32(static_cast<uint32_t>(images.cols), header.data() + 12);
  return WriteAll(path, header, images.pixels.data(), images.pixels.size());
}

Status WriteIdxLabels(const std::string& path, const std::vector<int>& labels) {
  std::vector<uint8_t> raw(labels.size());
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] < 0 || labels[i] > 255)
      return Status::InvalidArgument("WriteIdxLabels('" + path + "'): label " + std::to_string(labels[i]) +
                                     " at " + std::to_string(i) + " does not fit in a byte");
    raw[i] = static_cast<uint8_t>(labels[i]);
  }
  std::vector<uint8_t> header(8);
  PutBigEndian32(kLabelsMagic, header.data());
  PutBigEndian32(static_cast<uint32_t>(labels.size()), header.data() + 4);
  return WriteAll(path, header, raw.data(), raw.size());
}

}  // namespace ekya

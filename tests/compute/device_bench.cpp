// Pair time on every device LibTorch sees (CPU, and CUDA when present), random weights, 300 px synthetic
// pair: the GPU figures of the README come from here (hpf bench needs Qt/OpenCV, which GPU boxes often lack).
// Usage: hpf_device_bench [repeats]

#include "core/compute/backbone.h"
#include "core/compute/hyperpixel_flow.h"
#include "core/compute/runtime.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

hpf::PreparedImage random_image(int width, int height) {
  hpf::PreparedImage image;
  image.tensor = at::randn({1, 3, height, width});
  image.original_width = width;
  image.original_height = height;
  return image;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

// Median wall time of one pair (both backbone passes, hyperpixels, RHM, best matches), synchronised by
// reading a result back.
double pair_ms(const hpf::HyperpixelFlow& flow, int repeats) {
  const hpf::PreparedImage source = random_image(300, 225), target = random_image(300, 200);
  std::vector<double> times;
  for (int i = 0; i < repeats + 2; ++i) {
    const auto start = std::chrono::steady_clock::now();
    const hpf::PairMatch match = flow.match(flow.describe(source), flow.describe(target));
    match.best.confidence.sum().item<float>();
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (i >= 2) times.push_back(ms);  // two warm-up pairs (CUDA context, cuDNN algorithm choice, allocator)
  }
  return median(times);
}

}  // namespace

int main(int argc, char** argv) {
  const int repeats = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
  hpf::set_compute_threads(0);
  hpf::tune_memory_allocator();
  std::vector<std::string> devices = {"cpu"};
  if (hpf::cuda_available()) devices.push_back("cuda");
  std::printf("LibTorch %s, %d CPU threads, CUDA %s; median of %d pairs, ms\n", hpf::torch_version().c_str(),
              hpf::compute_threads(), hpf::cuda_available() ? "available" : "not available", repeats);
  std::printf("%-34s %-11s %10s %10s\n", "configuration", "similarity", "cpu", "cuda");
  const struct {
    const char* backbone;
    const char* layers;
  } configs[] = {{"mobilenet_v2", "2,4,7,10,13"},
                 {"mobilenet_v2", "4,7,10,13,16"},
                 {"resnet101", "2,17,21,22,25,26,28"}};
  for (const auto& config : configs) {
    for (const bool factorized : {true, false}) {
      at::manual_seed(1);
      std::unique_ptr<hpf::Backbone> backbone = hpf::make_backbone(config.backbone);
      hpf::MatchOptions options;
      options.layers = hpf::parse_layer_set(config.layers);
      options.rhm.factorized_similarity = factorized;
      const hpf::HyperpixelFlow flow(*backbone, options);
      std::vector<double> ms;
      for (const std::string& device : devices) {
        backbone->to(hpf::select_device(device));
        ms.push_back(pair_ms(flow, repeats));
      }
      const std::string name = std::string(config.backbone) + " (" + config.layers + ")";
      std::printf("%-34s %-11s %10.1f", name.c_str(), factorized ? "factorised" : "concat", ms[0]);
      if (ms.size() > 1) std::printf(" %10.1f  (%.1fx)", ms[1], ms[0] / ms[1]);
      std::printf("\n");
    }
  }
  return 0;
}

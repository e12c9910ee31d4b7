#pragma once
// Worker-thread side of the pair view: turns a matched pair (tensors) into the PairFigure the view draws.

#include "core/pipeline/pair_matching.h"
#include "datasets/dataset.h"
#include "ui/pair_figure.h"

#include <QImage>

#include <vector>

namespace hpf {

// (H, W, 3) uint8 RGB tensor -> QImage (deep copy).
QImage rgb_tensor_to_image(const at::Tensor& rgb);

struct FigureInputs {
  const MatchedPair* pair = nullptr;
  const DecodedImage* source = nullptr;
  const DecodedImage* target = nullptr;
  std::vector<Point2> points;  // original source pixels
  std::vector<int> point_ids;
  std::vector<TransferredPoint> transferred;   // of `points`
  const PairAnnotation* annotation = nullptr;  // ground truth, when the pair comes from a dataset
  // Another method's transfer of the same points (SCOT's pairs: HPF's), and its name.
  std::string comparison_method;
  std::vector<TransferredPoint> comparison_transferred;
};

PairFigure build_figure(const FigureInputs& inputs);

// Fills figure.warped_source, figure.flow_colours and figure.max_flow from the pair's dense flow.
void add_dense_flow(const MatchedPair& pair, const DecodedImage& source, PairFigure& figure);

}  // namespace hpf

#pragma once

#include <memory>
#include <string>

#include "datasets/dataset.h"

namespace hpf {

// PF-WILLOW: test_pairs.csv (header; per row two image paths "PF-dataset/<sub-class>/<file>", then 10 source
// x, 10 source y, 10 target x, 10 target y). Images live at "<sub-class>/<file>" under the root. The PCK box
// is the extent of the target keypoints. One split, "test".
std::unique_ptr<Dataset> open_pf_willow(const std::string& folder_or_archive);

}  // namespace hpf

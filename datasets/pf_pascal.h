#pragma once

#include <memory>
#include <string>
#include <vector>

#include "datasets/dataset.h"

namespace hpf {

// The 20 PASCAL VOC classes in the order PF-PASCAL's 1-based class ids use.
const std::vector<std::string>& pascal_classes();

// PF-PASCAL: {trn,val,test}_pairs.csv (header "source_image,target_image,class[,flip]"; image paths whose
// file name is looked up in JPEGImages/), Annotations/<class>/<image>.mat with `kps` (N x 2, NaN rows =
// invisible) and `bbox` (1 x 4). Keypoints are kept where visible in both images. PCK threshold: the target
// image size.
std::unique_ptr<Dataset> open_pf_pascal(const std::string& folder_or_archive);

}  // namespace hpf

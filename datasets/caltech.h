#pragma once

#include <memory>
#include <string>
#include <vector>

#include "datasets/dataset.h"

namespace hpf {

// The 101 Caltech-101 object classes in the order of the pair file's 1-based class ids.
const std::vector<std::string>& caltech_classes();

// Caltech-101: test_pairs_caltech_with_category.csv (header; source path, target path, 1-based class id, then
// the source x-list, source y-list, target x-list, target y-list of the mask polygons, each a quoted
// comma-separated field). Image paths lose their first component and live under 101_ObjectCategories/.
// Evaluated by mask transfer (AnnotationKind::Polygon), so source_kps/target_kps hold polygon vertices of
// different counts.
std::unique_ptr<Dataset> open_caltech(const std::string& folder_or_archive);

}  // namespace hpf

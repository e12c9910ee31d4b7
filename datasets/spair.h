#pragma once

#include <memory>
#include <string>
#include <vector>

#include "datasets/dataset.h"

namespace hpf {

// The 18 SPair-71k categories (sorted, as the reference lists JPEGImages/).
const std::vector<std::string>& spair_categories();

// SPair-71k: Layout/<layout>/{trn,val,test}.txt list pair names such as
// "000001-2008_000585-2008_000008:aeroplane"; PairAnnotation/<split>/<name>.json holds the pair (see
// PairAnnotation for the fields kept); images are JPEGImages/<category>/<imname>. `layout` is "large" (the
// benchmark) or "small". PCK box: trg_bndbox.
std::unique_ptr<Dataset> open_spair(const std::string& folder_or_archive, const std::string& layout);

}  // namespace hpf

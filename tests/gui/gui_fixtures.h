#pragma once
// Files the GUI tests write for themselves: textured synthetic image pairs, a corrupt image, a PF-WILLOW
// dataset folder.

#include <QString>

namespace hpf::test {

// A width x height image of coloured blocks and circles (seeded), shifted by (dx, dy): the pair (seed, 0, 0)
// and (seed, dx, dy) has a known translation. Saved as PNG; returns the path.
QString write_pattern_image(const QString& path, int width, int height, int seed, int dx = 0, int dy = 0);

// Bytes that claim to be a PNG but are not.
QString write_corrupt_image(const QString& path);

// A PF-WILLOW folder with one category "car(G)" and one pair (10 keypoints each; the target image is the
// source pattern moved by (dx, dy), keypoints 0..4 move with it, 5..9 are annotated 25 px further right).
// Returns the root.
QString write_pf_willow(const QString& root, int dx, int dy);

}  // namespace hpf::test

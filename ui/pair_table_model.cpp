#include "ui/pair_table_model.h"

#include "ui/pair_filter.h"
#include "ui/thumbnail_loader.h"

#include <QColor>
#include <QFileInfo>

#include <algorithm>
#include <cmath>
#include <limits>

namespace hpf {

namespace {

const std::vector<PairAnnotation>& no_pairs() {
  static const std::vector<PairAnnotation> none;
  return none;
}

DifficultyFlag flag_for_column(int column) {
  return kDifficultyFlags[static_cast<size_t>(column - PairTableModel::Viewpoint)];
}

QString file_name(const std::string& path) {
  return QFileInfo(QString::fromStdString(path)).fileName();
}

}  // namespace

void sort_rows(std::vector<int>& rows, const std::vector<PairAnnotation>& pairs,
               const std::vector<double>& pck, int column, Qt::SortOrder order) {
  const bool descending = order == Qt::DescendingOrder;
  const auto sort_by = [&](const auto& key) {
    std::stable_sort(rows.begin(), rows.end(), [&](int a, int b) {
      const auto ka = key(a), kb = key(b);
      if (ka != kb) return descending ? kb < ka : ka < kb;
      return a < b;
    });
  };
  const auto pair = [&pairs](int i) -> const PairAnnotation& { return pairs[static_cast<size_t>(i)]; };
  switch (column) {
    case PairTableModel::Category:
      sort_by([&](int i) -> const std::string& { return pair(i).category; });
      break;
    case PairTableModel::Source:
      sort_by([&](int i) -> const std::string& { return pair(i).source_image; });
      break;
    case PairTableModel::Target:
      sort_by([&](int i) -> const std::string& { return pair(i).target_image; });
      break;
    case PairTableModel::Keypoints:
      sort_by([&](int i) { return pair(i).source_kps.size(); });
      break;
    case PairTableModel::Viewpoint:
    case PairTableModel::Scale:
    case PairTableModel::Truncation:
    case PairTableModel::Occlusion: {
      const DifficultyFlag flag = flag_for_column(column);
      sort_by([&](int i) { return flag_of(pair(i), flag); });
      break;
    }
    case PairTableModel::Pck:
      // Pairs without a value sort before every scored pair.
      sort_by([&](int i) {
        const double v = static_cast<size_t>(i) < pck.size() ? pck[static_cast<size_t>(i)] : -1.0;
        return std::isnan(v) ? -1.0 : v;
      });
      break;
    default:  // Id and Thumbnail: file order (SPair ids start with their running number)
      sort_by([](int i) { return i; });
      break;
  }
}

PairTableModel::PairTableModel(ThumbnailLoader* thumbnails, QObject* parent)
    : QAbstractTableModel(parent),
      thumbnails_(thumbnails),
      pairs_(std::shared_ptr<const std::vector<PairAnnotation>>(&no_pairs(), [](auto*) {})),
      rows_(std::make_shared<const std::vector<int>>()) {
  connect(thumbnails_, &ThumbnailLoader::ready, this, [this](int key) {
    const int row = row_of(key);
    if (row >= 0) Q_EMIT dataChanged(index(row, Thumbnail), index(row, Thumbnail));
  });
}

void PairTableModel::set_pairs(std::shared_ptr<const std::vector<PairAnnotation>> pairs) {
  auto all = std::make_shared<std::vector<int>>(pairs->size());
  for (size_t i = 0; i < all->size(); ++i) (*all)[i] = static_cast<int>(i);
  beginResetModel();
  pairs_ = std::move(pairs);
  pck_.clear();
  warnings_.clear();
  rows_ = all;
  row_of_.assign(pairs_->size(), 0);
  for (size_t i = 0; i < row_of_.size(); ++i) row_of_[i] = static_cast<int>(i);
  endResetModel();
}

void PairTableModel::set_rows(std::shared_ptr<const std::vector<int>> rows) {
  beginResetModel();
  rows_ = std::move(rows);
  row_of_.assign(pairs_->size(), -1);
  for (size_t r = 0; r < rows_->size(); ++r) {
    const int i = (*rows_)[r];
    if (i >= 0 && static_cast<size_t>(i) < row_of_.size())
      row_of_[static_cast<size_t>(i)] = static_cast<int>(r);
  }
  endResetModel();
}

int PairTableModel::pair_index(int row) const {
  return row >= 0 && static_cast<size_t>(row) < rows_->size() ? (*rows_)[static_cast<size_t>(row)] : -1;
}

int PairTableModel::row_of(int pair_index) const {
  return pair_index >= 0 && static_cast<size_t>(pair_index) < row_of_.size()
             ? row_of_[static_cast<size_t>(pair_index)]
             : -1;
}

void PairTableModel::set_warnings(
    const std::unordered_map<std::string, std::vector<std::string>>& warnings_by_id) {
  warnings_ = warnings_by_id;
  if (rowCount() > 0) Q_EMIT dataChanged(index(0, Pck), index(rowCount() - 1, Pck));
}

void PairTableModel::set_pck(const std::unordered_map<std::string, double>& pck_by_id, const QString& alpha) {
  pck_.clear();
  pck_alpha_ = alpha;
  if (!pck_by_id.empty()) {
    pck_.assign(pairs_->size(), std::numeric_limits<double>::quiet_NaN());
    for (size_t i = 0; i < pairs_->size(); ++i) {
      const auto found = pck_by_id.find((*pairs_)[i].id);
      if (found != pck_by_id.end()) pck_[i] = found->second;
    }
  }
  Q_EMIT headerDataChanged(Qt::Horizontal, Pck, Pck);
  if (rowCount() > 0) Q_EMIT dataChanged(index(0, Pck), index(rowCount() - 1, Pck));
}

double PairTableModel::pck(int pair_index) const {
  if (pair_index < 0 || static_cast<size_t>(pair_index) >= pck_.size())
    return std::numeric_limits<double>::quiet_NaN();
  return pck_[static_cast<size_t>(pair_index)];
}

void PairTableModel::sort(int column, Qt::SortOrder order) {
  sort_column_ = column;
  sort_order_ = order;
  Q_EMIT sort_requested(column, order);
}

int PairTableModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(rows_->size());
}

int PairTableModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : ColumnCount;
}

QVariant PairTableModel::data(const QModelIndex& index, int role) const {
  const int pair = pair_index(index.row());
  if (!index.isValid() || pair < 0) return {};
  const PairAnnotation& p = (*pairs_)[static_cast<size_t>(pair)];
  const int column = index.column();
  if (role == kPairIndexRole) return pair;
  if (role == Qt::DecorationRole && column == Thumbnail) {
    const QImage image = thumbnails_->thumbnail(pair, p);
    return image.isNull() ? QVariant() : QVariant(image);
  }
  if (role == Qt::TextAlignmentRole && (column == Keypoints || column == Pck)) {
    return QVariant(Qt::AlignRight | Qt::AlignVCenter);
  }
  const auto warnings = warnings_.find(p.id);
  if (role == Qt::ToolTipRole) {
    QString tip = QStringLiteral("%1\n%2 → %3")
                      .arg(QString::fromStdString(p.id), QString::fromStdString(p.source_image),
                           QString::fromStdString(p.target_image));
    if (warnings != warnings_.end()) {
      for (const std::string& w : warnings->second) tip += QStringLiteral("\n⚠ ") + QString::fromStdString(w);
    }
    return tip;
  }
  if (role == Qt::ForegroundRole && column == Pck) {
    const double v = pck(pair);
    if (std::isnan(v)) return {};
    return QColor::fromHsvF(static_cast<float>(v) / 3.0f, 0.85f, 0.6f);  // red (0) to green (1)
  }
  if (role != Qt::DisplayRole) return {};
  switch (column) {
    case Id:
      return QString::fromStdString(p.id);
    case Category:
      return QString::fromStdString(p.category);
    case Source:
      return file_name(p.source_image);
    case Target:
      return file_name(p.target_image);
    case Keypoints:
      return static_cast<qulonglong>(p.source_kps.size());
    case Viewpoint:
    case Scale:
    case Truncation:
    case Occlusion: {
      const DifficultyFlag flag = flag_for_column(column);
      const int v = flag_of(p, flag);
      return v < 0 ? QString() : flag_value_label(flag, v);
    }
    case Pck: {
      const double v = pck(pair);
      const QString mark = warnings != warnings_.end() ? QStringLiteral("⚠ ") : QString();
      return std::isnan(v) ? mark : mark + QString::number(100.0 * v, 'f', 1);
    }
    default:
      return {};
  }
}

QVariant PairTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
    return QAbstractTableModel::headerData(section, orientation, role);
  }
  switch (section) {
    case Thumbnail:
      return tr("Images");
    case Id:
      return tr("Pair");
    case Category:
      return tr("Category");
    case Source:
      return tr("Source");
    case Target:
      return tr("Target");
    case Keypoints:
      return tr("Keypoints");
    case Viewpoint:
      return tr("Viewpoint");
    case Scale:
      return tr("Scale");
    case Truncation:
      return tr("Truncation");
    case Occlusion:
      return tr("Occlusion");
    case Pck:
      return pck_alpha_.isEmpty() ? tr("PCK") : tr("PCK@%1 (%)").arg(pck_alpha_);
    default:
      return {};
  }
}

}  // namespace hpf

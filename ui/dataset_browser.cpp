#include "ui/dataset_browser.h"

#include "datasets/download_info.h"
#include "ui/pair_table_model.h"
#include "ui/statistics_table.h"
#include "ui/thumbnail_loader.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace hpf {

namespace {

QString dataset_title(const std::string& kind) {
  for (const DatasetDownload& d : dataset_downloads()) {
    if (d.kind == kind) return QString::fromStdString(d.title);
  }
  return QString::fromStdString(kind);
}

QString box_text(const std::array<double, 4>& b) {
  return QStringLiteral("[%1, %2, %3, %4]").arg(b[0]).arg(b[1]).arg(b[2]).arg(b[3]);
}

}  // namespace

DatasetBrowser::DatasetBrowser(QWidget* parent) : QWidget(parent) {
  thumbnails_ = new ThumbnailLoader(this);
  model_ = new PairTableModel(thumbnails_, this);

  auto* column = new QVBoxLayout(this);
  column->addLayout(build_source_row());
  column->addLayout(build_filter_row());
  column->addLayout(build_flag_row());
  column->addWidget(build_pairs_area(), 1);
  status_ = new QLabel(this);
  status_->setWordWrap(true);
  column->addWidget(status_);
  set_status(tr("Open a dataset: choose its kind and its folder or archive."));

  connect_filter_controls();
  connect_pair_table();
  connect_runner();
}

// Where the dataset is: its kind, and a folder or archive typed or chosen; Open, and where to get it.
QHBoxLayout* DatasetBrowser::build_source_row() {
  auto* source_row = new QHBoxLayout;
  kind_ = new QComboBox(this);
  for (const std::string& k : dataset_kinds()) kind_->addItem(dataset_title(k), QString::fromStdString(k));
  kind_->setToolTip(tr("Which benchmark the folder or archive holds"));
  location_ = new QLineEdit(this);
  location_->setPlaceholderText(tr("Dataset folder or downloaded archive (.zip, .tar, .tar.gz)"));
  auto* folder = new QPushButton(tr("Folder…"), this);
  auto* archive = new QPushButton(tr("Archive…"), this);
  auto* open = new QPushButton(tr("Open"), this);
  open->setDefault(true);
  auto* help = new QPushButton(tr("Get the dataset…"), this);
  help->setToolTip(tr("Where to download this benchmark and how its folder must look"));
  source_row->addWidget(new QLabel(tr("Dataset"), this));
  source_row->addWidget(kind_);
  source_row->addWidget(location_, 1);
  source_row->addWidget(folder);
  source_row->addWidget(archive);
  source_row->addWidget(open);
  source_row->addWidget(help);
  connect(folder, &QPushButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Dataset folder"), location_->text());
    if (!dir.isEmpty()) {
      location_->setText(dir);
      open_dataset(kind(), dir);
    }
  });
  connect(archive, &QPushButton::clicked, this, [this] {
    const QString file = QFileDialog::getOpenFileName(this, tr("Dataset archive"), location_->text(),
                                                      tr("Archives (*.zip *.tar *.tar.gz *.tgz)"));
    if (!file.isEmpty()) {
      location_->setText(file);
      open_dataset(kind(), file);
    }
  });
  connect(open, &QPushButton::clicked, this, [this] { open_dataset(kind(), location()); });
  connect(location_, &QLineEdit::returnPressed, this, [this] { open_dataset(kind(), location()); });
  connect(help, &QPushButton::clicked, this, &DatasetBrowser::show_download_help);
  return source_row;
}

// Split, category and text search, and the count of pairs the filter keeps.
QHBoxLayout* DatasetBrowser::build_filter_row() {
  auto* filter_row = new QHBoxLayout;
  split_ = new QComboBox(this);
  split_->setToolTip(tr("Split of the benchmark (the paper evaluates on the default one)"));
  category_ = new QComboBox(this);
  category_->setToolTip(tr("Show the pairs of one category"));
  category_->setMinimumContentsLength(14);
  text_ = new QLineEdit(this);
  text_->setPlaceholderText(tr("Find: id, category, image"));
  text_->setClearButtonEnabled(true);
  count_ = new QLabel(this);
  filter_row->addWidget(new QLabel(tr("Split"), this));
  filter_row->addWidget(split_);
  filter_row->addWidget(new QLabel(tr("Category"), this));
  filter_row->addWidget(category_);
  filter_row->addWidget(text_, 1);
  filter_row->addWidget(count_);
  return filter_row;
}

// One box per SPair-71k difficulty flag; choosing a value filters at once.
QHBoxLayout* DatasetBrowser::build_flag_row() {
  auto* flag_row = new QHBoxLayout;
  flag_row->addWidget(new QLabel(tr("Difficulty:"), this));
  for (DifficultyFlag flag : kDifficultyFlags) {
    auto* box = new QComboBox(this);
    box->addItem(tr("any"), -1);
    for (int v : flag_values(flag)) box->addItem(flag_value_label(flag, v), v);
    box->setToolTip(tr("SPair-71k %1 difficulty of the pair").arg(flag_title(flag).toLower()));
    flag_row->addSpacing(8);
    flag_row->addWidget(new QLabel(flag_title(flag), this));
    flag_row->addWidget(box);
    flag_boxes_.push_back(box);
    connect(box, &QComboBox::currentIndexChanged, this, [this] {
      read_filter_controls();
      apply_filter();
    });
  }
  flag_row->addStretch(1);
  return flag_row;
}

// The pair table with the selected pair's details below it, beside the statistics of the filtered pairs.
QSplitter* DatasetBrowser::build_pairs_area() {
  auto* splitter = new QSplitter(Qt::Horizontal, this);
  auto* left = new QWidget(splitter);
  auto* left_column = new QVBoxLayout(left);
  left_column->setContentsMargins(0, 0, 0, 0);
  left_column->addWidget(build_pair_table(left), 1);
  auto* detail_row = new QHBoxLayout;
  details_ = new QLabel(left);
  details_->setWordWrap(true);
  details_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  open_pair_ = new QPushButton(tr("Open in pair view"), left);
  open_pair_->setEnabled(false);
  detail_row->addWidget(details_, 1);
  detail_row->addWidget(open_pair_, 0, Qt::AlignTop);
  left_column->addLayout(detail_row);
  stats_ = new StatisticsTable(splitter);
  stats_->setMinimumWidth(250);  // "Truncation" and five-digit counts stay readable at 1280 px
  splitter->addWidget(left);
  splitter->addWidget(stats_);
  splitter->setStretchFactor(0, 4);
  splitter->setStretchFactor(1, 1);
  return splitter;
}

QTableView* DatasetBrowser::build_pair_table(QWidget* parent) {
  table_ = new QTableView(parent);
  table_->setModel(model_);
  table_->horizontalHeader()->setSortIndicator(PairTableModel::Id, Qt::AscendingOrder);
  table_->setSortingEnabled(true);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setAlternatingRowColors(true);
  table_->setWordWrap(false);
  table_->setIconSize(QSize(4 * ThumbnailLoader::kHeight, ThumbnailLoader::kHeight));
  table_->verticalHeader()->hide();
  // Fixed row heights: the view never measures 70k rows.
  table_->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
  table_->verticalHeader()->setDefaultSectionSize(ThumbnailLoader::kHeight + 6);
  // The pair id takes the spare width whichever columns the dataset hides (flags, PCK).
  table_->horizontalHeader()->setStretchLastSection(false);
  table_->horizontalHeader()->setMinimumSectionSize(40);
  table_->horizontalHeader()->setSectionResizeMode(PairTableModel::Id, QHeaderView::Stretch);
  table_->setColumnWidth(PairTableModel::Thumbnail, 3 * ThumbnailLoader::kHeight + 12);
  table_->setColumnWidth(PairTableModel::Category, 100);
  table_->setColumnWidth(PairTableModel::Source, 130);
  table_->setColumnWidth(PairTableModel::Target, 130);
  table_->setColumnWidth(PairTableModel::Keypoints, 76);
  for (int c = PairTableModel::Viewpoint; c <= PairTableModel::Occlusion; ++c) table_->setColumnWidth(c, 84);
  table_->setColumnWidth(PairTableModel::Pck, 100);
  table_->setToolTip(
      tr("Double-click or press Enter to open the pair in the pair view. Click a header to sort."));
  return table_;
}

// A split loads its pairs; the category filters at once, the text once the user pauses typing (text_timer_,
// made here).
void DatasetBrowser::connect_filter_controls() {
  text_timer_ = new QTimer(this);
  text_timer_->setSingleShot(true);
  text_timer_->setInterval(200);  // typing: filter once the user pauses
  connect(split_, &QComboBox::activated, this, [this] { set_split(split_->currentText()); });
  connect(category_, &QComboBox::currentIndexChanged, this, [this] {
    read_filter_controls();
    apply_filter();
  });
  connect(text_, &QLineEdit::textChanged, text_timer_, qOverload<>(&QTimer::start));
  connect(text_timer_, &QTimer::timeout, this, [this] {
    read_filter_controls();
    apply_filter();
  });
}

// Selecting a row shows its details; Enter, a double-click or the button opens it; a header click sorts.
void DatasetBrowser::connect_pair_table() {
  connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
          &DatasetBrowser::show_details);
  connect(table_, &QTableView::activated, this,
          [this](const QModelIndex& index) { activate_row(index.row()); });
  connect(open_pair_, &QPushButton::clicked, this, [this] { activate_row(table_->currentIndex().row()); });
  connect(model_, &PairTableModel::sort_requested, this, &DatasetBrowser::sort_rows_by);
}

// A load that fails is shown in the status line and reported.
void DatasetBrowser::connect_runner() {
  connect(&runner_, &JobRunner::failed, this, [this](quint64, const QString& message) {
    set_status(tr("Could not open the dataset: %1").arg(message), true);
    Q_EMIT failed(message);
  });
}

DatasetBrowser::~DatasetBrowser() {
  runner_.cancel_all();
}

QString DatasetBrowser::kind() const {
  return kind_->currentData().toString();
}

QString DatasetBrowser::location() const {
  return location_->text().trimmed();
}

QString DatasetBrowser::status_text() const {
  return status_->text();
}

void DatasetBrowser::set_status(const QString& text, bool error) {
  status_->setText(text);
  status_->setStyleSheet(error ? QStringLiteral("color: #c0392b;") : QString());
}

void DatasetBrowser::open_dataset(const QString& kind, const QString& location, const QString& split) {
  if (location.isEmpty()) {
    set_status(tr("Choose the dataset's folder or archive first."), true);
    return;
  }
  const int k = kind_->findData(kind);
  if (k >= 0) kind_->setCurrentIndex(k);
  location_->setText(location);
  const std::string kind_name = kind.toStdString(), path = location.toStdString(),
                    chosen = split.toStdString();
  load(tr("Opening %1").arg(location), [kind_name, path, chosen](const JobContext& ctx) {
    BrowserData data;
    data.dataset = hpf::open_dataset(kind_name, path);
    ctx.check_cancelled();
    data.split = chosen.empty() ? data.dataset->default_split() : chosen;
    data.splits = data.dataset->splits();
    ctx.report(0, 1, "reading the annotations of " + data.split);
    data.pairs = std::make_shared<const std::vector<PairAnnotation>>(data.dataset->pairs(data.split));
    data.split_statistics = dataset_statistics(*data.pairs);
    return data;
  });
}

void DatasetBrowser::set_location(const QString& kind, const QString& location) {
  const int k = kind_->findData(kind);
  if (k >= 0) kind_->setCurrentIndex(k);
  location_->setText(location);
}

void DatasetBrowser::open_with(const QString& title, Loader loader) {
  load(title, std::move(loader));
}

void DatasetBrowser::set_split(const QString& split) {
  if (!data_.dataset) return;
  const std::shared_ptr<const Dataset> dataset = data_.dataset;
  const std::string chosen = split.toStdString();
  load(tr("Loading %1").arg(split), [dataset, chosen](const JobContext&) {
    BrowserData data;
    data.dataset = dataset;
    data.split = chosen;
    data.splits = dataset->splits();
    data.pairs = std::make_shared<const std::vector<PairAnnotation>>(dataset->pairs(chosen));
    data.split_statistics = dataset_statistics(*data.pairs);
    return data;
  });
}

void DatasetBrowser::load(const QString& title, Loader loader) {
  runner_.cancel_all();
  set_status(tr("%1: reading the annotations…").arg(title));
  runner_.start(title, [this, loader = std::move(loader)](const JobContext& ctx) -> JobRunner::Delivery {
    auto data = std::make_shared<BrowserData>(loader(ctx));
    return [this, data] { on_loaded(std::move(*data)); };
  });
}

void DatasetBrowser::on_loaded(BrowserData data) {
  data_ = std::move(data);
  has_flags_ = false;
  for (const PairAnnotation& p : *data_.pairs) {
    if (p.viewpoint_variation >= 0) {
      has_flags_ = true;
      break;
    }
  }
  thumbnails_->reset(data_.dataset);
  rows_.reset();
  model_->set_pairs(data_.pairs);
  filtered_stats_ = data_.split_statistics;

  {
    const QSignalBlocker block_split(split_), block_category(category_);
    split_->clear();
    for (const std::string& s : data_.splits) split_->addItem(QString::fromStdString(s));
    split_->setCurrentText(split());
    const QString current = category_->currentData().toString();
    category_->clear();
    category_->addItem(tr("all"), QString());
    for (const auto& [name, n] : data_.split_statistics.per_category) {
      category_->addItem(QStringLiteral("%1 (%2)").arg(QString::fromStdString(name)).arg(n),
                         QString::fromStdString(name));
    }
    category_->setCurrentIndex(std::max(0, category_->findData(current)));
  }
  for (int c = PairTableModel::Viewpoint; c <= PairTableModel::Occlusion; ++c)
    table_->setColumnHidden(c, !has_flags_);
  for (QComboBox* box : flag_boxes_) {
    if (!has_flags_) {
      const QSignalBlocker block(box);
      box->setCurrentIndex(0);  // "any": a flag filter left from another dataset would only confuse
    }
    box->setEnabled(has_flags_);
    box->setToolTip(has_flags_ ? box->toolTip() : tr("Only SPair-71k annotates difficulty flags"));
  }
  table_->setColumnHidden(PairTableModel::Pck, true);
  set_status(tr("%1 — %2 split: %3 pairs, %4 keypoints")
                 .arg(dataset_title(data_.dataset->name()), split())
                 .arg(data_.pairs->size())
                 .arg(data_.split_statistics.keypoints));
  read_filter_controls();
  if (filter_.is_empty()) {
    stats_->set_statistics(filtered_stats_, data_.split_statistics, has_flags_);
    count_->setText(tr("%1 pairs").arg(data_.pairs->size()));
    auto all = std::make_shared<std::vector<int>>(data_.pairs->size());
    for (size_t i = 0; i < all->size(); ++i) (*all)[i] = static_cast<int>(i);
    rows_ = all;
    Q_EMIT loaded();
    Q_EMIT filter_applied();
    if (model_->sort_column() == PairTableModel::Id && model_->sort_order() == Qt::AscendingOrder) {
      Q_EMIT rows_changed();
    } else {
      sort_rows_by(model_->sort_column(), model_->sort_order());
    }
  } else {
    Q_EMIT loaded();
    apply_filter();
  }
}

void DatasetBrowser::read_filter_controls() {
  filter_.category = category_->currentData().toString();
  for (size_t i = 0; i < flag_boxes_.size(); ++i) {
    filter_.flags[i] = has_flags_ ? flag_boxes_[i]->currentData().toInt() : -1;
  }
  filter_.text = text_->text().trimmed();
}

PairFilter DatasetBrowser::filter() const {
  return filter_;
}

void DatasetBrowser::set_filter(const PairFilter& filter) {
  {
    const QSignalBlocker block(category_);
    category_->setCurrentIndex(std::max(0, category_->findData(filter.category)));
  }
  for (size_t i = 0; i < flag_boxes_.size(); ++i) {
    const QSignalBlocker block(flag_boxes_[i]);
    flag_boxes_[i]->setCurrentIndex(std::max(0, flag_boxes_[i]->findData(filter.flags[i])));
  }
  {
    const QSignalBlocker block(text_);
    text_->setText(filter.text);
  }
  read_filter_controls();
  apply_filter();
}

void DatasetBrowser::apply_filter() {
  if (!data_.pairs) return;
  if (filter_job_) runner_.cancel(filter_job_);
  const auto pairs = data_.pairs;
  const PairFilter filter = filter_;
  count_->setText(tr("filtering…"));
  // The rows are filtered and sorted on the worker; the GUI thread only swaps the row list in.
  const int column = model_->sort_column();
  const Qt::SortOrder order = model_->sort_order();
  const std::vector<double> pck = model_->pck_values();
  filter_job_ = runner_.start(
      tr("Filter"), [this, pairs, filter, column, order, pck](const JobContext& ctx) -> JobRunner::Delivery {
        auto rows = std::make_shared<const std::vector<int>>(filter_pairs(*pairs, filter));
        ctx.check_cancelled();
        auto stats = std::make_shared<DatasetStatistics>(statistics_of(*pairs, *rows));
        ctx.check_cancelled();
        auto shown = std::make_shared<std::vector<int>>(*rows);
        hpf::sort_rows(*shown, *pairs, pck, column, order);
        return [this, pairs, rows, stats, shown] {
          if (pairs != data_.pairs) return;  // a newer load replaced these pairs
          rows_ = rows;
          filtered_stats_ = *stats;
          show_rows(shown);
          stats_->set_statistics(filtered_stats_, data_.split_statistics, has_flags_);
          count_->setText(tr("%1 of %2 pairs").arg(rows->size()).arg(pairs->size()));
          Q_EMIT filter_applied();
        };
      });
}

void DatasetBrowser::sort_rows_by(int column, Qt::SortOrder order) {
  if (!data_.pairs || !rows_) return;
  if (sort_job_) runner_.cancel(sort_job_);
  const auto pairs = data_.pairs;
  const auto rows = rows_;
  const std::vector<double> pck = model_->pck_values();
  sort_job_ = runner_.start(
      tr("Sort"), [this, pairs, rows, pck, column, order](const JobContext&) -> JobRunner::Delivery {
        auto shown = std::make_shared<std::vector<int>>(*rows);
        hpf::sort_rows(*shown, *pairs, pck, column, order);
        return [this, pairs, rows, shown, column, order] {
          if (pairs != data_.pairs) return;  // a newer load replaced these pairs
          if (rows != rows_) {
            sort_rows_by(column, order);  // filtered meanwhile: sort the new rows
            return;
          }
          show_rows(shown);
        };
      });
}

void DatasetBrowser::show_rows(std::shared_ptr<const std::vector<int>> rows) {
  // Keep the selected pair selected across the new order.
  const int selected = model_->pair_index(table_->currentIndex().row());
  model_->set_rows(std::move(rows));
  const int row = model_->row_of(selected);
  if (row >= 0) {
    table_->setCurrentIndex(model_->index(row, PairTableModel::Id));
    table_->scrollTo(model_->index(row, PairTableModel::Id));
  }
  Q_EMIT rows_changed();
}

void DatasetBrowser::set_pck(const std::unordered_map<std::string, double>& pck_by_id, const QString& alpha) {
  model_->set_pck(pck_by_id, alpha);
  table_->setColumnHidden(PairTableModel::Pck, pck_by_id.empty());
  if (model_->sort_column() == PairTableModel::Pck) sort_rows_by(PairTableModel::Pck, model_->sort_order());
}

void DatasetBrowser::set_warnings(
    const std::unordered_map<std::string, std::vector<std::string>>& warnings_by_id) {
  model_->set_warnings(warnings_by_id);
}

const PairAnnotation* DatasetBrowser::pair_at_row(int row) const {
  const int index = model_->pair_index(row);
  return index < 0 ? nullptr : &model_->pairs()[static_cast<size_t>(index)];
}

void DatasetBrowser::activate_row(int row) {
  const PairAnnotation* pair = pair_at_row(row);
  if (pair && data_.dataset) Q_EMIT pair_activated(data_.dataset, *pair);
}

void DatasetBrowser::show_details() {
  const PairAnnotation* p = pair_at_row(table_->currentIndex().row());
  open_pair_->setEnabled(p != nullptr);
  if (!p) {
    details_->clear();
    return;
  }
  QString text = tr("<b>%1</b> (%2): %3 → %4, %5 keypoints")
                     .arg(QString::fromStdString(p->id).toHtmlEscaped(), QString::fromStdString(p->category),
                          QString::fromStdString(p->source_image).toHtmlEscaped(),
                          QString::fromStdString(p->target_image).toHtmlEscaped())
                     .arg(p->source_kps.size());
  if (p->has_bbox) {
    text += tr("; boxes %1 → %2").arg(box_text(p->source_bbox), box_text(p->target_bbox));
  }
  if (p->viewpoint_variation >= 0) {
    QStringList flags;
    for (DifficultyFlag f : kDifficultyFlags) {
      flags << QStringLiteral("%1 %2").arg(flag_title(f).toLower(), flag_value_label(f, flag_of(*p, f)));
    }
    flags << (p->mirror == 1 ? tr("mirrored") : tr("not mirrored"));
    text += QStringLiteral("<br>") + flags.join(QStringLiteral(", "));
  }
  details_->setText(text);
}

void DatasetBrowser::show_download_help() {
  QString text;
  try {
    text = QString::fromStdString(offline_instructions(kind().toStdString()));
  } catch (const std::exception& e) {
    text = QString::fromStdString(e.what());
  }
  QMessageBox box(QMessageBox::Information, tr("Get %1").arg(kind_->currentText()), text, QMessageBox::Ok,
                  this);
  box.setTextInteractionFlags(Qt::TextSelectableByMouse);
  box.exec();
}

}  // namespace hpf

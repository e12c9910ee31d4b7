#include "ui/dataset_pair_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

namespace hpf {

namespace {
constexpr int kMaxListed = 5000;  // a filter narrows the rest down
}

DatasetPairDialog::DatasetPairDialog(QWidget* parent) : QDialog(parent) {
  setWindowTitle(tr("Open a dataset pair"));
  resize(720, 560);
  auto* root = new QVBoxLayout(this);
  auto* form = new QFormLayout;
  kind_ = new QComboBox(this);
  for (const std::string& k : dataset_kinds()) kind_->addItem(QString::fromStdString(k));
  kind_->setToolTip(tr("Which benchmark the folder or archive holds."));
  form->addRow(tr("Dataset"), kind_);
  root_ = new QLineEdit(this);
  root_->setToolTip(tr("The dataset's folder or its downloaded archive (.zip, .tar, .tar.gz)."));
  auto* browse = new QPushButton(tr("Folder…"), this);
  auto* browse_archive = new QPushButton(tr("Archive…"), this);
  auto* load = new QPushButton(tr("Load"), this);
  auto* row = new QHBoxLayout;
  row->addWidget(root_, 1);
  row->addWidget(browse);
  row->addWidget(browse_archive);
  row->addWidget(load);
  form->addRow(tr("Location"), row);
  split_ = new QComboBox(this);
  form->addRow(tr("Split"), split_);
  filter_ = new QLineEdit(this);
  filter_->setPlaceholderText(tr("pair id, category or image name"));
  form->addRow(tr("Find"), filter_);
  root->addLayout(form);
  list_ = new QListWidget(this);
  root->addWidget(list_, 1);
  status_ = new QLabel(this);
  status_->setWordWrap(true);
  root->addWidget(status_);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Open | QDialogButtonBox::Cancel, this);
  root->addWidget(buttons);

  connect(browse, &QPushButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Dataset folder"), root_->text());
    if (!dir.isEmpty()) {
      root_->setText(dir);
      this->load();
    }
  });
  connect(browse_archive, &QPushButton::clicked, this, [this] {
    const QString file = QFileDialog::getOpenFileName(this, tr("Dataset archive"), root_->text(),
                                                      tr("Archives (*.zip *.tar *.tar.gz *.tgz)"));
    if (!file.isEmpty()) {
      root_->setText(file);
      this->load();
    }
  });
  connect(load, &QPushButton::clicked, this, &DatasetPairDialog::load);
  connect(root_, &QLineEdit::returnPressed, this, &DatasetPairDialog::load);
  connect(split_, &QComboBox::currentTextChanged, this, [this] {
    if (dataset_) this->load();
  });
  connect(filter_, &QLineEdit::textChanged, this, &DatasetPairDialog::fill_list);
  connect(list_, &QListWidget::itemActivated, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::accepted, this, [this] {
    if (selected_pair()) accept();
  });
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(&runner_, &JobRunner::failed, this, [this](quint64, const QString& message) {
    status_->setText(tr("Could not open the dataset: %1").arg(message));
    status_->setStyleSheet(QStringLiteral("color: #c0392b;"));
  });
}

void DatasetPairDialog::set_location(const QString& kind, const QString& root) {
  const int i = kind_->findText(kind);
  if (i >= 0) kind_->setCurrentIndex(i);
  root_->setText(root);
  if (!root.isEmpty()) load();
}

QString DatasetPairDialog::kind() const {
  return kind_->currentText();
}
QString DatasetPairDialog::root() const {
  return root_->text().trimmed();
}

void DatasetPairDialog::load() {
  if (root().isEmpty()) return;
  runner_.cancel_all();
  status_->setStyleSheet(QString());
  status_->setText(tr("Loading annotations…"));
  const std::string kind = this->kind().toStdString(), path = root().toStdString();
  const std::string split = split_->currentText().toStdString();
  runner_.start(tr("Dataset"), [this, kind, path, split](const JobContext& ctx) -> JobRunner::Delivery {
    std::shared_ptr<const Dataset> dataset = open_dataset(kind, path);
    ctx.check_cancelled();
    const std::string chosen = split.empty() ? dataset->default_split() : split;
    auto pairs = std::make_shared<std::vector<PairAnnotation>>(dataset->pairs(chosen));
    const std::vector<std::string> splits = dataset->splits();
    return [this, dataset, pairs, splits, chosen] {
      dataset_ = dataset;
      pairs_ = std::move(*pairs);
      const QSignalBlocker block(split_);
      split_->clear();
      for (const std::string& s : splits) split_->addItem(QString::fromStdString(s));
      split_->setCurrentText(QString::fromStdString(chosen));
      fill_list();
    };
  });
}

void DatasetPairDialog::fill_list() {
  list_->clear();
  const QString filter = filter_->text().trimmed();
  int shown = 0, matching = 0;
  for (size_t i = 0; i < pairs_.size(); ++i) {
    const PairAnnotation& p = pairs_[i];
    const QString text =
        QStringLiteral("%1   %2   %3 → %4")
            .arg(QString::fromStdString(p.id), QString::fromStdString(p.category),
                 QString::fromStdString(p.source_image), QString::fromStdString(p.target_image));
    if (!filter.isEmpty() && !text.contains(filter, Qt::CaseInsensitive)) continue;
    ++matching;
    if (shown >= kMaxListed) continue;
    auto* item = new QListWidgetItem(text, list_);
    item->setData(Qt::UserRole, static_cast<qulonglong>(i));
    ++shown;
  }
  if (list_->count() > 0) list_->setCurrentRow(0);
  status_->setText(tr("%1 pairs in %2, %3 shown").arg(matching).arg(split_->currentText()).arg(shown));
}

std::optional<PairAnnotation> DatasetPairDialog::selected_pair() const {
  const QListWidgetItem* item = list_->currentItem();
  if (!item || !dataset_) return std::nullopt;
  const size_t i = static_cast<size_t>(item->data(Qt::UserRole).toULongLong());
  if (i >= pairs_.size()) return std::nullopt;
  return pairs_[i];
}

}  // namespace hpf

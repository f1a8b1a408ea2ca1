#include "io/parquet/parquet_metadata.h"

#include "io/parquet/thrift_compact.h"

namespace wildchat::parquet {

namespace {

// Reads a list<T> with `read_one` for each element.
template <typename F>
void ReadList(ThriftReader* r, F read_one) {
  ThriftType et;
  uint32_t n;
  r->ReadListHeader(&et, &n);
  for (uint32_t i = 0; i < n && r->ok(); ++i) read_one(et);
}

void ReadTimeUnit(ThriftReader* r, SchemaElement* e) {
  r->BeginStruct();
  int16_t id;
  ThriftType t;
  while (r->ReadFieldHeader(&id, &t)) {
    if (id == 1) e->timestamp_unit = TimeUnit::kMillis;
    if (id == 2) e->timestamp_unit = TimeUnit::kMicros;
    if (id == 3) e->timestamp_unit = TimeUnit::kNanos;
    r->Skip(t);
  }
  r->EndStruct();
}

void ReadLogicalType(ThriftReader* r, SchemaElement* e) {
  r->BeginStruct();
  int16_t id;
  ThriftType t;
  while (r->ReadFieldHeader(&id, &t)) {
    e->logical_type = id;
    if (id == kLogicalTimestamp && t == ThriftType::kStruct) {
      r->BeginStruct();
      int16_t fid;
      ThriftType ft;
      while (r->ReadFieldHeader(&fid, &ft)) {
        if (fid == 1) {
          e->timestamp_utc = r->ReadBool(ft);
        } else if (fid == 2 && ft == ThriftType::kStruct) {
          ReadTimeUnit(r, e);
        } else {
          r->Skip(ft);
        }
      }
      r->EndStruct();
    } else {
      r->Skip(t);
    }
  }
  r->EndStruct();
}

void ReadSchemaElement(ThriftReader* r, SchemaElement* e) {
  r->BeginStruct();
  int16_t id;
  ThriftType t;
  while (r->ReadFieldHeader(&id, &t)) {
    switch (id) {
      case 1:
        e->type = static_cast<PhysicalType>(r->ReadI32());
        break;
      case 2:
        e->type_length = r->ReadI32();
        break;
      case 3:
        e->repetition = static_cast<Repetition>(r->ReadI32());
        break;
      case 4:
        e->name = std::string(r->ReadBinary());
        break;
      case 5:
        e->num_children = r->ReadI32();
        break;
      case 6:
        e->converted_type = r->ReadI32();
        break;
      case 10:
        if (t == ThriftType::kStruct) {
          ReadLogicalType(r, e);
          break;
        }
        [[fallthrough]];
      default:
        r->Skip(t);
    }
  }
  r->EndStruct();
}

void ReadColumnMetaData(ThriftReader* r, ColumnMetaData* m) {
  r->BeginStruct();
  int16_t id;
  ThriftType t;
  while (r->ReadFieldHeader(&id, &t)) {
    switch (id) {
      case 1:
        m->type = static_cast<PhysicalType>(r->ReadI32());
        break;
      case 2:
        ReadList(r, [&](ThriftType) { m->encodings.push_back(r->ReadI32()); });
        break;
      case 3:
        ReadList(r, [&](ThriftType) { m->path_in_schema.emplace_back(r->ReadBinary()); });
        break;
      case 4:
        m->codec = static_cast<Codec>(r->ReadI32());
        break;
      case 5:
        m->num_values = r->ReadI64();
        break;
      case 6:
        m->total_uncompressed_size = r->ReadI64();
        break;
      case 7:
        m->total_compressed_size = r->ReadI64();
        break;
      case 9:
        m->data_page_offset = r->ReadI64();
        break;
      case 11:
        m->dictionary_page_offset = r->ReadI64();
        break;
      default:
        r->Skip(t);
    }
  }
  r->EndStruct();
}

void ReadColumnChunk(ThriftReader* r, ColumnChunk* c) {
  r->BeginStruct();
  int16_t id;
  ThriftType t;
  while (r->ReadFieldHeader(&id, &t)) {
    switch (id) {
      case 1:
        c->file_path = std::string(r->ReadBinary());
        break;
      case 2:
        c->file_offset = r->ReadI64();
        break;
      case 3:
        c->meta_data.emplace();
        ReadColumnMetaData(r, &*c->meta_data);
        break;
      default:
        r->Skip(t);
    }
  }
  r->EndStruct();
}

void ReadRowGroup(ThriftReader* r, RowGroup* g) {
  r->BeginStruct();
  int16_t id;
  ThriftType t;
  while (r->ReadFieldHeader(&id, &t)) {
    switch (id) {
      case 1:
        ReadList(r, [&](ThriftType) {
          g->columns.emplace_back();
          ReadColumnChunk(r, &g->columns.back());
        });
        break;
      case 2:
        g->total_byte_size = r->ReadI64();
        break;
      case 3:
        g->num_rows = r->ReadI64();
        break;
      default:
        r->Skip(t);
    }
  }
  r->EndStruct();
}

void ReadKeyValue(ThriftReader* r, KeyValue* kv) {
  r->BeginStruct();
  int16_t id;
  ThriftType t;
  while (r->ReadFieldHeader(&id, &t)) {
    if (id == 1)
      kv->key = std::string(r->ReadBinary());
    else if (id == 2)
      kv->value = std::string(r->ReadBinary());
    else
      r->Skip(t);
  }
  r->EndStruct();
}

}  // namespace

Status ParseFileMetaData(std::string_view bytes, FileMetaData* out) {
  *out = FileMetaData();
  ThriftReader r(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  r.BeginStruct();
  int16_t id;
  ThriftType t;
  while (r.ReadFieldHeader(&id, &t)) {
    switch (id) {
      case 1:
        out->version = r.ReadI32();
        break;
      case 2:
        ReadList(&r, [&](ThriftType) {
          out->schema.emplace_back();
          ReadSchemaElement(&r, &out->schema.back());
        });
        break;
      case 3:
        out->num_rows = r.ReadI64();
        break;
      case 4:
        ReadList(&r, [&](ThriftType) {
          out->row_groups.emplace_back();
          ReadRowGroup(&r, &out->row_groups.back());
        });
        break;
      case 5:
        ReadList(&r, [&](ThriftType) {
          out->key_value_metadata.emplace_back();
          ReadKeyValue(&r, &out->key_value_metadata.back());
        });
        break;
      case 6:
        out->created_by = std::string(r.ReadBinary());
        break;
      default:
        r.Skip(t);
    }
  }
  r.EndStruct();
  if (!r.ok()) return Status::Corruption("corrupt file metadata: " + r.error());
  return Status::OK();
}

Status ParsePageHeader(std::string_view bytes, PageHeader* out, size_t* header_size) {
  *out = PageHeader();
  ThriftReader r(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  r.BeginStruct();
  int16_t id;
  ThriftType t;
  while (r.ReadFieldHeader(&id, &t)) {
    switch (id) {
      case 1:
        out->type = static_cast<PageType>(r.ReadI32());
        break;
      case 2:
        out->uncompressed_page_size = r.ReadI32();
        break;
      case 3:
        out->compressed_page_size = r.ReadI32();
        break;
      case 5: {
        DataPageHeader& h = out->data_page_header.emplace();
        r.BeginStruct();
        int16_t fid;
        ThriftType ft;
        while (r.ReadFieldHeader(&fid, &ft)) {
          switch (fid) {
            case 1:
              h.num_values = r.ReadI32();
              break;
            case 2:
              h.encoding = static_cast<Encoding>(r.ReadI32());
              break;
            case 3:
              h.definition_level_encoding = static_cast<Encoding>(r.ReadI32());
              break;
            case 4:
              h.repetition_level_encoding = static_cast<Encoding>(r.ReadI32());
              break;
            default:
              r.Skip(ft);
          }
        }
        r.EndStruct();
        break;
      }
      case 7: {
        DictionaryPageHeader& h = out->dictionary_page_header.emplace();
        r.BeginStruct();
        int16_t fid;
        ThriftType ft;
        while (r.ReadFieldHeader(&fid, &ft)) {
          switch (fid) {
            case 1:
              h.num_values = r.ReadI32();
              break;
            case 2:
              h.encoding = static_cast<Encoding>(r.ReadI32());
              break;
            default:
              r.Skip(ft);
          }
        }
        r.EndStruct();
        break;
      }
      case 8: {
        DataPageHeaderV2& h = out->data_page_header_v2.emplace();
        r.BeginStruct();
        int16_t fid;
        ThriftType ft;
        while (r.ReadFieldHeader(&fid, &ft)) {
          switch (fid) {
            case 1:
              h.num_values = r.ReadI32();
              break;
            case 2:
              h.num_nulls = r.ReadI32();
              break;
            case 3:
              h.num_rows = r.ReadI32();
              break;
            case 4:
              h.encoding = static_cast<Encoding>(r.ReadI32());
              break;
            case 5:
              h.definition_levels_byte_length = r.ReadI32();
              break;
            case 6:
              h.repetition_levels_byte_length = r.ReadI32();
              break;
            case 7:
              h.is_compressed = r.ReadBool(ft);
              break;
            default:
              r.Skip(ft);
          }
        }
        r.EndStruct();
        break;
      }
      default:
        r.Skip(t);
    }
  }
  r.EndStruct();
  if (!r.ok()) return Status::Corruption("corrupt page header: " + r.error());
  *header_size = r.consumed();
  return Status::OK();
}

// ---- writing ----

namespace {

void WriteSchemaElement(ThriftWriter* w, const SchemaElement& e) {
  w->BeginStruct();
  if (e.type) w->FieldI32(1, static_cast<int32_t>(*e.type));
  if (e.repetition) w->FieldI32(3, static_cast<int32_t>(*e.repetition));
  w->FieldBinary(4, e.name);
  if (!e.type) w->FieldI32(5, e.num_children);
  if (e.converted_type) w->FieldI32(6, *e.converted_type);
  if (e.logical_type != 0) {
    w->FieldStructBegin(10);
    w->FieldStructBegin(e.logical_type);
    if (e.logical_type == kLogicalTimestamp) {
      w->FieldBool(1, e.timestamp_utc);
      w->FieldStructBegin(2);
      int16_t unit = e.timestamp_unit == TimeUnit::kMillis  ? 1
                     : e.timestamp_unit == TimeUnit::kNanos ? 3
                                                            : 2;
      w->FieldStructBegin(unit);
      w->EndStruct();
      w->EndStruct();
    }
    w->EndStruct();
    w->EndStruct();
  }
  w->EndStruct();
}

void WriteColumnChunk(ThriftWriter* w, const ColumnChunk& c) {
  w->BeginStruct();
  w->FieldI64(2, c.file_offset);
  if (c.meta_data) {
    const ColumnMetaData& m = *c.meta_data;
    w->FieldStructBegin(3);
    w->FieldI32(1, static_cast<int32_t>(m.type));
    w->FieldListBegin(2, ThriftType::kI32, static_cast<uint32_t>(m.encodings.size()));
    for (int32_t e : m.encodings) w->I32(e);
    w->FieldListBegin(3, ThriftType::kBinary, static_cast<uint32_t>(m.path_in_schema.size()));
    for (const std::string& p : m.path_in_schema) w->Binary(p);
    w->FieldI32(4, static_cast<int32_t>(m.codec));
    w->FieldI64(5, m.num_values);
    w->FieldI64(6, m.total_uncompressed_size);
    w->FieldI64(7, m.total_compressed_size);
    w->FieldI64(9, m.data_page_offset);
    if (m.dictionary_page_offset) w->FieldI64(11, *m.dictionary_page_offset);
    w->EndStruct();
  }
  w->EndStruct();
}

}  // namespace

void SerializeFileMetaData(const FileMetaData& meta, std::string* out) {
  ThriftWriter w(out);
  w.BeginStruct();
  w.FieldI32(1, meta.version);
  w.FieldListBegin(2, ThriftType::kStruct, static_cast<uint32_t>(meta.schema.size()));
  for (const SchemaElement& e : meta.schema) WriteSchemaElement(&w, e);
  w.FieldI64(3, meta.num_rows);
  w.FieldListBegin(4, ThriftType::kStruct, static_cast<uint32_t>(meta.row_groups.size()));
  for (const RowGroup& g : meta.row_groups) {
    w.BeginStruct();
    w.FieldListBegin(1, ThriftType::kStruct, static_cast<uint32_t>(g.columns.size()));
    for (const ColumnChunk& c : g.columns) WriteColumnChunk(&w, c);
    w.FieldI64(2, g.total_byte_size);
    w.FieldI64(3, g.num_rows);
    w.EndStruct();
  }
  if (!meta.key_value_metadata.empty()) {
    w.FieldListBegin(5, ThriftType::kStruct, static_cast<uint32_t>(meta.key_value_metadata.size()));
    for (const KeyValue& kv : meta.key_value_metadata) {
      w.BeginStruct();
      w.FieldBinary(1, kv.key);
      if (kv.value) w.FieldBinary(2, *kv.value);
      w.EndStruct();
    }
  }
  if (!meta.created_by.empty()) w.FieldBinary(6, meta.created_by);
  w.EndStruct();
}

void SerializePageHeader(const PageHeader& h, std::string* out) {
  ThriftWriter w(out);
  w.BeginStruct();
  w.FieldI32(1, static_cast<int32_t>(h.type));
  w.FieldI32(2, h.uncompressed_page_size);
  w.FieldI32(3, h.compressed_page_size);
  if (h.data_page_header) {
    const DataPageHeader& d = *h.data_page_header;
    w.FieldStructBegin(5);
    w.FieldI32(1, d.num_values);
    w.FieldI32(2, static_cast<int32_t>(d.encoding));
    w.FieldI32(3, static_cast<int32_t>(d.definition_level_encoding));
    w.FieldI32(4, static_cast<int32_t>(d.repetition_level_encoding));
    w.EndStruct();
  }
  if (h.dictionary_page_header) {
    w.FieldStructBegin(7);
    w.FieldI32(1, h.dictionary_page_header->num_values);
    w.FieldI32(2, static_cast<int32_t>(h.dictionary_page_header->encoding));
    w.EndStruct();
  }
  if (h.data_page_header_v2) {
    const DataPageHeaderV2& d = *h.data_page_header_v2;
    w.FieldStructBegin(8);
    w.FieldI32(1, d.num_values);
    w.FieldI32(2, d.num_nulls);
    w.FieldI32(3, d.num_rows);
    w.FieldI32(4, static_cast<int32_t>(d.encoding));
    w.FieldI32(5, d.definition_levels_byte_length);
    w.FieldI32(6, d.repetition_levels_byte_length);
    w.FieldBool(7, d.is_compressed);
    w.EndStruct();
  }
  w.EndStruct();
}

}  // namespace wildchat::parquet

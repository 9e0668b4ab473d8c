//! Bounds check of an untrusted Parquet load file, on its raw bytes, before polars reads it.
//!
//! polars 0.55 trusts the counts and sizes stored in a Parquet file: its footer decoder
//! pre-sizes vectors from thrift list lengths (`Vec::with_capacity` in `read_list`), and its
//! page decoders size bitmaps and buffers from the value counts and page sizes in page
//! headers (a negative `i32` count becomes a `usize` near 2^64). A corrupt file can thus ask
//! for gigabytes or exabytes, and a failed allocation aborts the process: `catch_unwind`
//! cannot turn it into an error. The files in `fuzz/reproducers/parquet_load/` do exactly
//! that.
//!
//! [`check_parquet_bounds`] decodes the footer (`FileMetaData`) and the header of every page
//! of every column chunk with its own thrift compact-protocol decoder, allocates nothing
//! from what it reads, and refuses any count or size that the file's bytes, or a load series
//! of at most [`ParquetLimits::max_rows`] rows, cannot hold:
//!
//! * magic bytes at both ends, a footer length that fits in the file;
//! * every thrift list, set, map, binary and string no longer than the bytes left in the
//!   buffer being decoded (each element takes at least one byte), checked before anything
//!   else; nesting at most [`MAX_NESTING`] deep; unknown fields skipped by their wire type;
//! * `FileMetaData.num_rows`, every `RowGroup.num_rows` and their sum in `0..=max_rows`;
//! * per column chunk: `num_values` in `0..=max_rows`, sizes ≥ 0, the uncompressed size at
//!   most [`ParquetLimits::max_rows`] × 64 bytes + 1 MiB, the chunk's bytes inside the column
//!   data, all chunks together no larger than the column data (so they cannot overlap to
//!   multiply the work), other offsets inside the file;
//! * per page header: compressed size ≥ 0 and inside the chunk, uncompressed size in
//!   `0..=` the same bound (polars allocates it before decompressing), the value, row and
//!   null counts of data pages (v1, v2) and dictionary pages in `0..=max_rows`, the level
//!   byte lengths of v2 pages inside the page;
//! * schema nesting at most [`MAX_SCHEMA_DEPTH`] deep (polars builds the schema tree by
//!   recursion); fixed-length values no wider than the uncompressed bound allows.
//!
//! The decoder must agree with polars on where every field starts, or polars could read a
//! count this check never saw. polars reads a field it knows by its id, whatever its wire
//! type, so a known field with another wire type (or a known list with another element
//! type) is refused here rather than skipped. polars' footer decoder skips a `list<bool>`
//! of an unknown field without consuming its bytes, so such lists are refused in the footer
//! too. Varints longer than 10 bytes and `i32`/`i16` fields out of range (which polars would
//! truncate) are refused.
//!
//! Field ids and types follow apache/parquet-format `src/main/thrift/parquet.thrift`; the
//! wire format is apache/thrift `doc/specs/thrift-compact-protocol.md`.

/// Limits for an untrusted Parquet load file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParquetLimits {
    /// Most rows a load series may hold. Every row count and value count in the file must
    /// lie in `0..=max_rows`, and sizes are bounded from it (64 bytes a row plus 1 MiB).
    pub max_rows: u64,
}

impl Default for ParquetLimits {
    /// Ten million rows: more than a thousand years of hourly data.
    fn default() -> Self {
        Self {
            max_rows: 10_000_000,
        }
    }
}

impl ParquetLimits {
    /// Largest uncompressed size of one column chunk or one page: 64 bytes a row (an `i64`
    /// or `f64` takes 8, an ISO 8601 timestamp string about 24) plus 1 MiB for headers,
    /// statistics and dictionaries of small files.
    fn max_uncompressed_bytes(self) -> u64 {
        self.max_rows
            .saturating_mul(BYTES_PER_ROW)
            .saturating_add(SLACK_BYTES)
    }
}

/// Check the bytes of a Parquet file against `limits` before a reader trusts them.
///
/// # Errors
/// A short phrase saying what is wrong, e.g. `row group 0 claims 2305843009213693952 rows;
/// the file may hold at most 10000000` or `footer list of 35000000 key-value entries cannot
/// fit in 900 bytes`.
pub fn check_parquet_bounds(bytes: &[u8], limits: &ParquetLimits) -> Result<(), String> {
    let len = bytes.len();
    // 4 bytes of magic, the footer, its 4-byte length, 4 bytes of magic.
    if len < 12 || !bytes.starts_with(MAGIC) || !bytes.ends_with(MAGIC) {
        return Err("no Parquet magic bytes at both ends".to_string());
    }
    let footer_len = u32::from_le_bytes([
        bytes[len - 8],
        bytes[len - 7],
        bytes[len - 6],
        bytes[len - 5],
    ]);
    let footer_len = usize::try_from(footer_len).unwrap_or(usize::MAX);
    if footer_len > len - 12 {
        return Err(format!(
            "footer of {footer_len} bytes cannot fit in a file of {len} bytes"
        ));
    }
    let footer_start = len - 8 - footer_len;
    let mut checker = Checker {
        file: bytes,
        limits: *limits,
        max_uncompressed: limits.max_uncompressed_bytes(),
        data_end: footer_start as u64,
        rows_in_row_groups: 0,
        chunk_bytes: 0,
        widest_fixed: 0,
        open_groups: Vec::new(),
    };
    let mut footer = Thrift::new(&bytes[footer_start..len - 8], Area::Footer);
    checker.file_metadata(&mut footer)
}

/// Magic bytes at both ends of a Parquet file.
const MAGIC: &[u8; 4] = b"PAR1";

/// Deepest nesting of thrift structs, lists, sets and maps accepted; the decoder recurses
/// once per level, and polars gives up at 64 too.
pub const MAX_NESTING: usize = 64;

/// Deepest schema tree accepted: polars builds it by recursion, one frame per level, and a
/// load file is flat (depth 1).
pub const MAX_SCHEMA_DEPTH: usize = 64;

/// Longest list, set or map accepted: polars keeps the length in an `i32`.
const MAX_THRIFT_LEN: usize = 0x7fff_ffff;

/// Bytes a row may take in one column chunk (see [`ParquetLimits::max_uncompressed_bytes`]).
const BYTES_PER_ROW: u64 = 64;

/// Bytes allowed on top of `BYTES_PER_ROW` × rows.
const SLACK_BYTES: u64 = 1 << 20;

/// Physical type `FIXED_LEN_BYTE_ARRAY` of `SchemaElement.type`.
const FIXED_LEN_BYTE_ARRAY: i32 = 7;

// Thrift compact-protocol type codes (the low nibble of a field header).
/// End of a struct.
const T_STOP: u8 = 0;
/// Boolean true (a struct field's value is its type code).
const T_TRUE: u8 = 1;
/// Boolean false.
const T_FALSE: u8 = 2;
/// One raw byte.
const T_BYTE: u8 = 3;
/// Zigzag varint, 16 bits.
const T_I16: u8 = 4;
/// Zigzag varint, 32 bits.
const T_I32: u8 = 5;
/// Zigzag varint, 64 bits.
const T_I64: u8 = 6;
/// Eight little-endian bytes.
const T_DOUBLE: u8 = 7;
/// Varint length, then bytes (binary and string).
const T_BINARY: u8 = 8;
/// List header, then elements.
const T_LIST: u8 = 9;
/// Same layout as a list.
const T_SET: u8 = 10;
/// Varint count, key/value type byte, then pairs.
const T_MAP: u8 = 11;
/// Fields up to a stop byte.
const T_STRUCT: u8 = 12;

/// Decode a zigzag-encoded integer: 0, 1, 2, 3 … stand for 0, −1, 1, −2 …
fn zigzag(value: u64) -> i64 {
    // (value >> 1) XOR (all ones if the low bit is set), reinterpreted as two's complement.
    let bits = (value >> 1) ^ 0u64.wrapping_sub(value & 1);
    i64::from_ne_bytes(bits.to_ne_bytes())
}

/// Which buffer a decoder reads, for messages and for polars' quirks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Area {
    /// The `FileMetaData` at the end of the file (polars' handwritten decoder).
    Footer,
    /// A `PageHeader` inside a column chunk (polars' thrift-crate decoder).
    PageHeader,
}

impl Area {
    /// Name used in messages.
    fn name(self) -> &'static str {
        match self {
            Area::Footer => "footer",
            Area::PageHeader => "page header",
        }
    }
}

/// Wire types a known field may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Want {
    /// Any zigzag varint (i16, i32, i64): polars reads all three the same way.
    Int,
    /// Boolean (type code true or false).
    Bool,
    /// One raw byte (`i8`).
    Byte,
    /// Binary or string.
    Binary,
    /// List.
    List,
    /// Struct.
    Struct,
}

impl Want {
    /// Whether a type code (of a field or of list elements) is of this kind.
    fn matches(self, code: u8) -> bool {
        match self {
            Want::Int => matches!(code, T_I16 | T_I32 | T_I64),
            Want::Bool => matches!(code, T_TRUE | T_FALSE),
            Want::Byte => code == T_BYTE,
            Want::Binary => code == T_BINARY,
            Want::List => code == T_LIST,
            Want::Struct => code == T_STRUCT,
        }
    }

    /// Name used in messages.
    fn name(self) -> &'static str {
        match self {
            Want::Int => "an integer",
            Want::Bool => "a bool",
            Want::Byte => "a byte",
            Want::Binary => "a binary",
            Want::List => "a list",
            Want::Struct => "a struct",
        }
    }
}

/// A struct field header: its id and wire type code.
#[derive(Debug, Clone, Copy)]
struct Field {
    /// Field id (absolute, after applying the delta).
    id: i16,
    /// Wire type code, 1..=12.
    ty: u8,
}

/// Thrift compact-protocol decoder over one buffer; reads and checks, never allocates.
struct Thrift<'a> {
    /// The buffer being decoded (the footer, or a column chunk from a page header on).
    buf: &'a [u8],
    /// Next byte to read.
    pos: usize,
    /// Structs, lists, sets and maps open right now.
    depth: usize,
    /// Which buffer this is.
    area: Area,
}

impl<'a> Thrift<'a> {
    /// A decoder at the start of `buf`.
    fn new(buf: &'a [u8], area: Area) -> Self {
        Self {
            buf,
            pos: 0,
            depth: 0,
            area,
        }
    }

    /// Bytes not yet read.
    fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// One byte.
    fn byte(&mut self) -> Result<u8, String> {
        let byte = *self
            .buf
            .get(self.pos)
            .ok_or_else(|| format!("{} is cut short", self.area.name()))?;
        self.pos += 1;
        Ok(byte)
    }

    /// An unsigned LEB128 varint of at most 10 bytes (64 bits).
    fn varint(&mut self) -> Result<u64, String> {
        let mut value = 0u64;
        for index in 0..10 {
            let byte = self.byte()?;
            let low = u64::from(byte & 0x7f);
            // The tenth byte holds bit 63 only; more would be silently dropped by polars.
            if index == 9 && low > 1 {
                return Err(format!(
                    "{} has a varint wider than 64 bits",
                    self.area.name()
                ));
            }
            value |= low << (7 * index);
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(format!(
            "{} has a varint longer than 10 bytes",
            self.area.name()
        ))
    }

    /// Skip `count` raw bytes that the buffer must hold.
    fn skip_bytes(&mut self, count: u64, what: &str) -> Result<(), String> {
        let left = self.remaining();
        match usize::try_from(count) {
            Ok(count) if count <= left => {
                self.pos += count;
                Ok(())
            }
            _ => Err(format!(
                "{} {what} of {count} bytes cannot fit in {left} bytes",
                self.area.name()
            )),
        }
    }

    /// Skip a binary or string: a varint length, checked against the bytes left, then the
    /// bytes.
    fn binary(&mut self, what: &str) -> Result<(), String> {
        let count = self.varint()?;
        self.skip_bytes(count, what)
    }

    /// Open one more level of nesting.
    fn enter(&mut self) -> Result<(), String> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(format!(
                "{} nests deeper than {MAX_NESTING} levels",
                self.area.name()
            ));
        }
        Ok(())
    }

    /// Close a level opened by [`Thrift::enter`].
    fn leave(&mut self) {
        self.depth -= 1;
    }

    /// The next field header of a struct, or `None` at its stop byte; `last_id` is the
    /// previous field's id (field ids are deltas from it unless the delta nibble is 0).
    fn field(&mut self, last_id: &mut i16) -> Result<Option<Field>, String> {
        let header = self.byte()?;
        let ty = header & 0x0f;
        if ty == T_STOP {
            return Ok(None);
        }
        if ty > T_STRUCT {
            return Err(format!(
                "{} has a field of unknown thrift type {ty}",
                self.area.name()
            ));
        }
        let delta = header >> 4;
        let id = if delta == 0 {
            let id = zigzag(self.varint()?);
            i16::try_from(id)
                .map_err(|_| format!("{} has field id {id}, beyond i16", self.area.name()))?
        } else {
            last_id.checked_add(i16::from(delta)).ok_or_else(|| {
                format!(
                    "{} has a field id beyond i16 after {last_id}",
                    self.area.name()
                )
            })?
        };
        *last_id = id;
        Ok(Some(Field { id, ty }))
    }

    /// A list or set header: element type code and count. The count is checked against the
    /// bytes left (every element takes at least one byte, a double eight) before any
    /// element is read.
    fn list_header(&mut self, what: &str) -> Result<(u8, usize), String> {
        let header = self.byte()?;
        let elem = header & 0x0f;
        let short = u64::from(header >> 4);
        // A count of 15 or more follows as a varint.
        let count = if short == 15 { self.varint()? } else { short };
        if count == 0 {
            // fastparquet writes an empty list as a bare 0x00 (no element type); polars
            // accepts it.
            return Ok((elem, 0));
        }
        if !(T_TRUE..=T_STRUCT).contains(&elem) {
            return Err(format!(
                "{} list of {what} has elements of unknown thrift type {elem}",
                self.area.name()
            ));
        }
        let min_size = if elem == T_DOUBLE { 8 } else { 1 };
        let left = self.remaining();
        // polars keeps a list length in an i32; a larger one would wrap there.
        usize::try_from(count)
            .ok()
            .filter(|&n| n <= left / min_size && n <= MAX_THRIFT_LEN)
            .map(|n| (elem, n))
            .ok_or_else(|| {
                format!(
                    "{} list of {count} {what} cannot fit in {left} bytes",
                    self.area.name()
                )
            })
    }

    /// A map header: key and value type codes and the count, checked against the bytes
    /// left (every pair takes at least two bytes) before any pair is read.
    fn map_header(&mut self) -> Result<(u8, u8, usize), String> {
        let count = self.varint()?;
        if count == 0 {
            return Ok((T_STOP, T_STOP, 0));
        }
        let types = self.byte()?;
        let (key, value) = (types >> 4, types & 0x0f);
        for code in [key, value] {
            if !(T_TRUE..=T_STRUCT).contains(&code) {
                return Err(format!(
                    "{} map has entries of unknown thrift type {code}",
                    self.area.name()
                ));
            }
        }
        let size = |code: u8| if code == T_DOUBLE { 8 } else { 1 };
        let left = self.remaining();
        usize::try_from(count)
            .ok()
            .filter(|&n| n <= left / (size(key) + size(value)) && n <= MAX_THRIFT_LEN)
            .map(|n| (key, value, n))
            .ok_or_else(|| {
                format!(
                    "{} map of {count} entries cannot fit in {left} bytes",
                    self.area.name()
                )
            })
    }

    /// Skip a value of wire type `ty` (a struct field's type code), whatever it holds.
    fn skip(&mut self, ty: u8) -> Result<(), String> {
        match ty {
            // A struct field's bool is its type code: no bytes follow.
            T_TRUE | T_FALSE => Ok(()),
            T_BYTE => self.byte().map(drop),
            T_I16 | T_I32 | T_I64 => self.varint().map(drop),
            T_DOUBLE => self.skip_bytes(8, "double"),
            T_BINARY => self.binary("binary"),
            T_STRUCT => {
                self.enter()?;
                let mut last_id = 0;
                while let Some(field) = self.field(&mut last_id)? {
                    self.skip(field.ty)?;
                }
                self.leave();
                Ok(())
            }
            T_LIST | T_SET => {
                let (elem, count) = self.list_header("elements")?;
                // polars' footer decoder skips a bool list element without reading its
                // byte, so it would read those bytes as the next fields: refuse.
                if self.area == Area::Footer
                    && ty == T_LIST
                    && count > 0
                    && Want::Bool.matches(elem)
                {
                    return Err("footer has a list of booleans that polars cannot skip".to_string());
                }
                self.enter()?;
                for _ in 0..count {
                    self.skip_element(elem)?;
                }
                self.leave();
                Ok(())
            }
            T_MAP => {
                let (key, value, count) = self.map_header()?;
                self.enter()?;
                for _ in 0..count {
                    self.skip_element(key)?;
                    self.skip_element(value)?;
                }
                self.leave();
                Ok(())
            }
            _ => Err(format!(
                "{} has a value of unknown thrift type {ty}",
                self.area.name()
            )),
        }
    }

    /// Skip one element of a list, set or map.
    fn skip_element(&mut self, elem: u8) -> Result<(), String> {
        if Want::Bool.matches(elem) {
            // Inside a collection a bool takes one byte.
            return self.byte().map(drop);
        }
        self.skip(elem)
    }

    /// Refuse a known field whose wire type is not the one polars reads it as.
    fn expect(&self, field: Field, want: Want, name: &str) -> Result<(), String> {
        if want.matches(field.ty) {
            return Ok(());
        }
        Err(format!(
            "{} field {name} has thrift type {}, expected {}",
            self.area.name(),
            field.ty,
            want.name()
        ))
    }

    /// A known integer field, as `i64`.
    fn i64_field(&mut self, field: Field, name: &str) -> Result<i64, String> {
        self.expect(field, Want::Int, name)?;
        Ok(zigzag(self.varint()?))
    }

    /// A known `i32` field; polars would truncate a larger value, so it is refused.
    fn i32_field(&mut self, field: Field, name: &str) -> Result<i32, String> {
        let value = self.i64_field(field, name)?;
        i32::try_from(value).map_err(|_| {
            format!(
                "{} field {name} is {value}, beyond its i32 type",
                self.area.name()
            )
        })
    }

    /// A known `i16` field; polars would truncate a larger value, so it is refused.
    fn i16_field(&mut self, field: Field, name: &str) -> Result<i16, String> {
        let value = self.i64_field(field, name)?;
        i16::try_from(value).map_err(|_| {
            format!(
                "{} field {name} is {value}, beyond its i16 type",
                self.area.name()
            )
        })
    }

    /// A known binary or string field, skipped.
    fn binary_field(&mut self, field: Field, name: &str) -> Result<(), String> {
        self.expect(field, Want::Binary, name)?;
        self.binary(name)
    }

    /// A known bool field (its value is its type code).
    fn bool_field(&mut self, field: Field, name: &str) -> Result<(), String> {
        self.expect(field, Want::Bool, name)
    }

    /// A known `i8` field, skipped.
    fn byte_field(&mut self, field: Field, name: &str) -> Result<(), String> {
        self.expect(field, Want::Byte, name)?;
        self.byte().map(drop)
    }

    /// A known list field whose elements must be of kind `elem`: opens a nesting level and
    /// returns the count; the caller reads the elements, then calls [`Thrift::leave`].
    fn begin_list(
        &mut self,
        field: Field,
        name: &str,
        elem: Want,
        what: &str,
    ) -> Result<usize, String> {
        self.expect(field, Want::List, name)?;
        let (code, count) = self.list_header(what)?;
        if count > 0 && !elem.matches(code) {
            return Err(format!(
                "{} list {name} has elements of thrift type {code}, expected {}",
                self.area.name(),
                elem.name()
            ));
        }
        self.enter()?;
        Ok(count)
    }

    /// A known list of integers or of binaries, skipped element by element.
    fn skip_list_field(&mut self, field: Field, name: &str, elem: Want) -> Result<(), String> {
        let count = self.begin_list(field, name, elem, "elements")?;
        for _ in 0..count {
            match elem {
                Want::Binary => self.binary(name)?,
                _ => self.varint().map(drop)?,
            }
        }
        self.leave();
        Ok(())
    }

    /// A known struct field whose fields are all unknown to polars (an empty struct of a
    /// union), skipped.
    fn opaque_struct_field(&mut self, field: Field, name: &str) -> Result<(), String> {
        self.expect(field, Want::Struct, name)?;
        self.skip(T_STRUCT)
    }

    /// Walk a struct: `on_field` reads the fields it knows and returns `false` for the
    /// others, which are skipped by wire type.
    fn walk_struct(
        &mut self,
        mut on_field: impl FnMut(&mut Self, Field) -> Result<bool, String>,
    ) -> Result<(), String> {
        self.enter()?;
        let mut last_id = 0;
        while let Some(field) = self.field(&mut last_id)? {
            if !on_field(self, field)? {
                self.skip(field.ty)?;
            }
        }
        self.leave();
        Ok(())
    }
}

/// `Statistics` (in column metadata and in data page headers): min/max binaries, counts and
/// exactness flags; polars reads ids 1–8.
fn statistics(r: &mut Thrift<'_>) -> Result<(), String> {
    r.walk_struct(|r, f| {
        match f.id {
            1 => r.binary_field(f, "Statistics.max")?,
            2 => r.binary_field(f, "Statistics.min")?,
            3 => r.i64_field(f, "Statistics.null_count").map(drop)?,
            4 => r.i64_field(f, "Statistics.distinct_count").map(drop)?,
            5 => r.binary_field(f, "Statistics.max_value")?,
            6 => r.binary_field(f, "Statistics.min_value")?,
            7 => r.bool_field(f, "Statistics.is_max_value_exact")?,
            8 => r.bool_field(f, "Statistics.is_min_value_exact")?,
            _ => return Ok(false),
        }
        Ok(true)
    })
}

/// `LogicalType` union of a schema element; polars reads variants 1–8 and 10–15.
fn logical_type(r: &mut Thrift<'_>) -> Result<(), String> {
    r.walk_struct(|r, f| {
        match f.id {
            1..=4 | 6 | 11..=15 => r.opaque_struct_field(f, "LogicalType variant")?,
            5 => {
                r.expect(f, Want::Struct, "LogicalType.DECIMAL")?;
                r.walk_struct(|r, f| {
                    match f.id {
                        1 => r.i32_field(f, "DecimalType.scale").map(drop)?,
                        2 => r.i32_field(f, "DecimalType.precision").map(drop)?,
                        _ => return Ok(false),
                    }
                    Ok(true)
                })?;
            }
            7 | 8 => {
                r.expect(f, Want::Struct, "LogicalType.TIME/TIMESTAMP")?;
                r.walk_struct(|r, f| {
                    match f.id {
                        1 => r.bool_field(f, "TimestampType.isAdjustedToUTC")?,
                        2 => {
                            r.expect(f, Want::Struct, "TimestampType.unit")?;
                            r.walk_struct(|r, f| {
                                match f.id {
                                    1..=3 => r.opaque_struct_field(f, "TimeUnit variant")?,
                                    _ => return Ok(false),
                                }
                                Ok(true)
                            })?;
                        }
                        _ => return Ok(false),
                    }
                    Ok(true)
                })?;
            }
            10 => {
                r.expect(f, Want::Struct, "LogicalType.INTEGER")?;
                r.walk_struct(|r, f| {
                    match f.id {
                        1 => r.byte_field(f, "IntType.bitWidth")?,
                        2 => r.bool_field(f, "IntType.isSigned")?,
                        _ => return Ok(false),
                    }
                    Ok(true)
                })?;
            }
            _ => return Ok(false),
        }
        Ok(true)
    })
}

/// What the page walk needs from a `ColumnMetaData`.
#[derive(Debug, Default)]
struct ChunkMeta {
    /// `num_values` (5).
    num_values: Option<i64>,
    /// `total_uncompressed_size` (6).
    total_uncompressed: Option<i64>,
    /// `total_compressed_size` (7).
    total_compressed: Option<i64>,
    /// `data_page_offset` (9).
    data_page_offset: Option<i64>,
    /// `index_page_offset` (10).
    index_page_offset: Option<i64>,
    /// `dictionary_page_offset` (11).
    dictionary_page_offset: Option<i64>,
    /// `bloom_filter_offset` (14).
    bloom_filter_offset: Option<i64>,
    /// `bloom_filter_length` (15).
    bloom_filter_length: Option<i32>,
}

/// `ColumnMetaData`; polars reads ids 1–7, 9–12, 14, 15 and skips the others.
fn column_meta_data(r: &mut Thrift<'_>) -> Result<ChunkMeta, String> {
    let mut meta = ChunkMeta::default();
    r.walk_struct(|r, f| {
        match f.id {
            1 => r.i32_field(f, "ColumnMetaData.type").map(drop)?,
            // polars skips these two as a list of varints and a list of binaries, whatever
            // the element type says.
            2 => r.skip_list_field(f, "ColumnMetaData.encodings", Want::Int)?,
            3 => r.skip_list_field(f, "ColumnMetaData.path_in_schema", Want::Binary)?,
            4 => r.i32_field(f, "ColumnMetaData.codec").map(drop)?,
            5 => meta.num_values = Some(r.i64_field(f, "ColumnMetaData.num_values")?),
            6 => {
                meta.total_uncompressed =
                    Some(r.i64_field(f, "ColumnMetaData.total_uncompressed_size")?);
            }
            7 => {
                meta.total_compressed =
                    Some(r.i64_field(f, "ColumnMetaData.total_compressed_size")?);
            }
            9 => meta.data_page_offset = Some(r.i64_field(f, "ColumnMetaData.data_page_offset")?),
            10 => {
                meta.index_page_offset = Some(r.i64_field(f, "ColumnMetaData.index_page_offset")?);
            }
            11 => {
                meta.dictionary_page_offset =
                    Some(r.i64_field(f, "ColumnMetaData.dictionary_page_offset")?);
            }
            12 => {
                r.expect(f, Want::Struct, "ColumnMetaData.statistics")?;
                statistics(r)?;
            }
            14 => {
                meta.bloom_filter_offset =
                    Some(r.i64_field(f, "ColumnMetaData.bloom_filter_offset")?);
            }
            15 => {
                meta.bloom_filter_length =
                    Some(r.i32_field(f, "ColumnMetaData.bloom_filter_length")?);
            }
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    Ok(meta)
}

/// What a `PageHeader` says about sizes (its counts are checked as they are read).
#[derive(Debug, Default)]
struct PageInfo {
    /// `uncompressed_page_size` (2).
    uncompressed: Option<i32>,
    /// `compressed_page_size` (3).
    compressed: Option<i32>,
    /// `DataPageHeaderV2`: `num_values`, `num_nulls`, definition and repetition level byte
    /// lengths.
    v2: Option<[Option<i32>; 4]>,
}

/// `PageHeader` and the page-type headers inside it; polars (thrift crate) reads ids 1–8.
/// Every value or row count must lie in `0..=max_rows`.
fn page_header(r: &mut Thrift<'_>, max_rows: u64) -> Result<PageInfo, String> {
    let mut info = PageInfo::default();
    let count = |what: &str, n: i32, unit: &str| count_in_range(what, i64::from(n), unit, max_rows);
    r.walk_struct(|r, f| {
        match f.id {
            1 => r.i32_field(f, "PageHeader.type").map(drop)?,
            2 => info.uncompressed = Some(r.i32_field(f, "PageHeader.uncompressed_page_size")?),
            3 => info.compressed = Some(r.i32_field(f, "PageHeader.compressed_page_size")?),
            4 => r.i32_field(f, "PageHeader.crc").map(drop)?,
            5 => {
                r.expect(f, Want::Struct, "PageHeader.data_page_header")?;
                r.walk_struct(|r, f| {
                    match f.id {
                        1 => {
                            let n = r.i32_field(f, "DataPageHeader.num_values")?;
                            count("the data page", n, "values")?;
                        }
                        2..=4 => r.i32_field(f, "DataPageHeader encoding").map(drop)?,
                        5 => {
                            r.expect(f, Want::Struct, "DataPageHeader.statistics")?;
                            statistics(r)?;
                        }
                        _ => return Ok(false),
                    }
                    Ok(true)
                })?;
            }
            6 => r.opaque_struct_field(f, "PageHeader.index_page_header")?,
            7 => {
                r.expect(f, Want::Struct, "PageHeader.dictionary_page_header")?;
                r.walk_struct(|r, f| {
                    match f.id {
                        1 => {
                            let n = r.i32_field(f, "DictionaryPageHeader.num_values")?;
                            count("the dictionary page", n, "values")?;
                        }
                        2 => r.i32_field(f, "DictionaryPageHeader.encoding").map(drop)?,
                        3 => r.bool_field(f, "DictionaryPageHeader.is_sorted")?,
                        _ => return Ok(false),
                    }
                    Ok(true)
                })?;
            }
            8 => {
                r.expect(f, Want::Struct, "PageHeader.data_page_header_v2")?;
                let mut v2 = [None; 4];
                r.walk_struct(|r, f| {
                    match f.id {
                        1 => {
                            let n = r.i32_field(f, "DataPageHeaderV2.num_values")?;
                            count("the v2 data page", n, "values")?;
                            v2[0] = Some(n);
                        }
                        2 => {
                            let n = r.i32_field(f, "DataPageHeaderV2.num_nulls")?;
                            count("the v2 data page", n, "nulls")?;
                            v2[1] = Some(n);
                        }
                        3 => {
                            let n = r.i32_field(f, "DataPageHeaderV2.num_rows")?;
                            count("the v2 data page", n, "rows")?;
                        }
                        4 => r.i32_field(f, "DataPageHeaderV2.encoding").map(drop)?,
                        5 => {
                            v2[2] = Some(
                                r.i32_field(f, "DataPageHeaderV2.definition_levels_byte_length")?,
                            );
                        }
                        6 => {
                            v2[3] = Some(
                                r.i32_field(f, "DataPageHeaderV2.repetition_levels_byte_length")?,
                            );
                        }
                        7 => r.bool_field(f, "DataPageHeaderV2.is_compressed")?,
                        8 => {
                            r.expect(f, Want::Struct, "DataPageHeaderV2.statistics")?;
                            statistics(r)?;
                        }
                        _ => return Ok(false),
                    }
                    Ok(true)
                })?;
                info.v2 = Some(v2);
            }
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    Ok(info)
}

/// State of one check: the file, the limits, and running totals across the footer.
struct Checker<'a> {
    /// The whole file.
    file: &'a [u8],
    /// The caller's limits.
    limits: ParquetLimits,
    /// `limits.max_uncompressed_bytes()`.
    max_uncompressed: u64,
    /// Where the footer starts: column chunks must end at or before it.
    data_end: u64,
    /// Sum of `RowGroup.num_rows` so far.
    rows_in_row_groups: u64,
    /// Sum of the column chunks' compressed sizes so far (bounds the page walk's work).
    chunk_bytes: u64,
    /// Widest `FIXED_LEN_BYTE_ARRAY` column of the schema.
    widest_fixed: u64,
    /// Children still expected by each schema group open right now (polars' recursion).
    open_groups: Vec<i64>,
}

impl Checker<'_> {
    /// Refuse a row or value count outside `0..=max_rows`.
    fn count_in_range(&self, what: &str, count: i64, unit: &str) -> Result<(), String> {
        count_in_range(what, count, unit, self.limits.max_rows)
    }

    /// Refuse a size outside `0..=max_uncompressed`.
    fn size_in_range(&self, what: &str, size: i64) -> Result<(), String> {
        let max = self.max_uncompressed;
        if u64::try_from(size).is_ok_and(|s| s <= max) {
            return Ok(());
        }
        Err(format!(
            "{what} of {size} bytes is outside 0..={max} (the bound for a load file)"
        ))
    }

    /// Refuse a byte range `offset .. offset + length` outside the file (an optional index
    /// or filter that polars might read).
    fn in_file(&self, what: &str, offset: i64, length: i64) -> Result<(), String> {
        let len = self.file.len() as u64;
        let fits = u64::try_from(offset)
            .ok()
            .zip(u64::try_from(length).ok())
            .and_then(|(o, l)| o.checked_add(l))
            .is_some_and(|end| end <= len);
        if fits {
            return Ok(());
        }
        Err(format!(
            "{what} at {offset} ({length} bytes) lies outside the file of {len} bytes"
        ))
    }

    /// `FileMetaData`, the root of the footer; polars reads ids 1–7.
    fn file_metadata(&mut self, r: &mut Thrift<'_>) -> Result<(), String> {
        let mut file_rows = None;
        r.walk_struct(|r, f| {
            match f.id {
                1 => r.i32_field(f, "FileMetaData.version").map(drop)?,
                2 => {
                    let count =
                        r.begin_list(f, "FileMetaData.schema", Want::Struct, "schema elements")?;
                    for _ in 0..count {
                        self.schema_element(r)?;
                    }
                    r.leave();
                }
                3 => file_rows = Some(r.i64_field(f, "FileMetaData.num_rows")?),
                4 => {
                    let count =
                        r.begin_list(f, "FileMetaData.row_groups", Want::Struct, "row groups")?;
                    for index in 0..count {
                        self.row_group(r, index)?;
                    }
                    r.leave();
                }
                5 => key_values(r, f, "FileMetaData.key_value_metadata")?,
                6 => r.binary_field(f, "FileMetaData.created_by")?,
                7 => {
                    let count = r.begin_list(
                        f,
                        "FileMetaData.column_orders",
                        Want::Struct,
                        "column orders",
                    )?;
                    for _ in 0..count {
                        r.walk_struct(|r, f| {
                            match f.id {
                                1 | 2 => r.opaque_struct_field(f, "ColumnOrder variant")?,
                                _ => return Ok(false),
                            }
                            Ok(true)
                        })?;
                    }
                    r.leave();
                }
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        if let Some(rows) = file_rows {
            self.count_in_range("the file", rows, "rows")?;
        }
        let max = self.limits.max_rows;
        if self.rows_in_row_groups > max {
            return Err(format!(
                "the row groups claim {} rows in all; the file may hold at most {max}",
                self.rows_in_row_groups
            ));
        }
        // polars may fill every row of a fixed-length column, null or not.
        let rows = self
            .rows_in_row_groups
            .max(file_rows.map_or(0, i64::unsigned_abs));
        if self.widest_fixed.saturating_mul(rows) > self.max_uncompressed {
            return Err(format!(
                "a fixed-length column of {} bytes × {rows} rows exceeds {} bytes",
                self.widest_fixed, self.max_uncompressed
            ));
        }
        Ok(())
    }

    /// `SchemaElement`; polars reads ids 1–10. Tracks the depth of the schema tree.
    fn schema_element(&mut self, r: &mut Thrift<'_>) -> Result<(), String> {
        let mut physical = None;
        let mut type_length = None;
        let mut num_children = None;
        r.walk_struct(|r, f| {
            match f.id {
                1 => physical = Some(r.i32_field(f, "SchemaElement.type")?),
                2 => type_length = Some(r.i32_field(f, "SchemaElement.type_length")?),
                3 => r.i32_field(f, "SchemaElement.repetition_type").map(drop)?,
                4 => r.binary_field(f, "SchemaElement.name")?,
                5 => num_children = Some(r.i32_field(f, "SchemaElement.num_children")?),
                6 => r.i32_field(f, "SchemaElement.converted_type").map(drop)?,
                7 => r.i32_field(f, "SchemaElement.scale").map(drop)?,
                8 => r.i32_field(f, "SchemaElement.precision").map(drop)?,
                9 => r.i32_field(f, "SchemaElement.field_id").map(drop)?,
                10 => {
                    r.expect(f, Want::Struct, "SchemaElement.logicalType")?;
                    logical_type(r)?;
                }
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        if physical == Some(FIXED_LEN_BYTE_ARRAY) {
            let width = type_length.map_or(0, i32::unsigned_abs);
            self.widest_fixed = self.widest_fixed.max(u64::from(width));
        }
        // Follow polars' depth-first recursion: groups whose children have all been seen
        // are closed, this element is one child of the innermost open group, and a group
        // with children opens a level.
        while self.open_groups.last() == Some(&0) {
            self.open_groups.pop();
        }
        if let Some(left) = self.open_groups.last_mut() {
            *left -= 1;
        }
        if let Some(children) = num_children.filter(|&n| n > 0) {
            self.open_groups.push(i64::from(children));
            if self.open_groups.len() > MAX_SCHEMA_DEPTH {
                return Err(format!(
                    "the schema nests deeper than {MAX_SCHEMA_DEPTH} levels"
                ));
            }
        }
        Ok(())
    }

    /// `RowGroup`; polars reads ids 1–7.
    fn row_group(&mut self, r: &mut Thrift<'_>, index: usize) -> Result<(), String> {
        let mut rows = None;
        r.walk_struct(|r, f| {
            match f.id {
                1 => {
                    let count =
                        r.begin_list(f, "RowGroup.columns", Want::Struct, "column chunks")?;
                    for column in 0..count {
                        self.column_chunk(r, index, column)?;
                    }
                    r.leave();
                }
                2 => r.i64_field(f, "RowGroup.total_byte_size").map(drop)?,
                3 => rows = Some(r.i64_field(f, "RowGroup.num_rows")?),
                4 => {
                    let count = r.begin_list(
                        f,
                        "RowGroup.sorting_columns",
                        Want::Struct,
                        "sorting columns",
                    )?;
                    for _ in 0..count {
                        r.walk_struct(|r, f| {
                            match f.id {
                                1 => r.i32_field(f, "SortingColumn.column_idx").map(drop)?,
                                2 => r.bool_field(f, "SortingColumn.descending")?,
                                3 => r.bool_field(f, "SortingColumn.nulls_first")?,
                                _ => return Ok(false),
                            }
                            Ok(true)
                        })?;
                    }
                    r.leave();
                }
                5 => r.i64_field(f, "RowGroup.file_offset").map(drop)?,
                6 => r.i64_field(f, "RowGroup.total_compressed_size").map(drop)?,
                7 => r.i16_field(f, "RowGroup.ordinal").map(drop)?,
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        if let Some(rows) = rows {
            self.count_in_range(&format!("row group {index}"), rows, "rows")?;
            self.rows_in_row_groups = self.rows_in_row_groups.saturating_add(rows.unsigned_abs());
        }
        Ok(())
    }

    /// `ColumnChunk`; polars reads ids 1–7. Checks the metadata, then walks the pages.
    fn column_chunk(
        &mut self,
        r: &mut Thrift<'_>,
        row_group: usize,
        column: usize,
    ) -> Result<(), String> {
        let at = |e: String| format!("row group {row_group}, column {column}: {e}");
        let mut meta = None;
        let mut offset_index = (None, None);
        let mut column_index = (None, None);
        r.walk_struct(|r, f| {
            match f.id {
                1 => r.binary_field(f, "ColumnChunk.file_path")?,
                2 => r.i64_field(f, "ColumnChunk.file_offset").map(drop)?,
                3 => {
                    r.expect(f, Want::Struct, "ColumnChunk.meta_data")?;
                    meta = Some(column_meta_data(r)?);
                }
                4 => offset_index.0 = Some(r.i64_field(f, "ColumnChunk.offset_index_offset")?),
                5 => offset_index.1 = Some(r.i32_field(f, "ColumnChunk.offset_index_length")?),
                6 => column_index.0 = Some(r.i64_field(f, "ColumnChunk.column_index_offset")?),
                7 => column_index.1 = Some(r.i32_field(f, "ColumnChunk.column_index_length")?),
                _ => return Ok(false),
            }
            Ok(true)
        })
        .map_err(at)?;
        for (what, (offset, length)) in [
            ("offset index", offset_index),
            ("column index", column_index),
        ] {
            if let Some(offset) = offset {
                let length = length.map_or(0, i64::from);
                self.in_file(what, offset, length).map_err(at)?;
            }
        }
        match meta {
            Some(meta) => self.chunk(&meta).map_err(at),
            // polars refuses a chunk without metadata.
            None => Ok(()),
        }
    }

    /// Check a column chunk's metadata, then walk its pages.
    fn chunk(&mut self, meta: &ChunkMeta) -> Result<(), String> {
        let (Some(num_values), Some(uncompressed), Some(compressed), Some(data_page)) = (
            meta.num_values,
            meta.total_uncompressed,
            meta.total_compressed,
            meta.data_page_offset,
        ) else {
            return Err("column metadata lacks a required size, count or offset".to_string());
        };
        self.count_in_range("the column chunk", num_values, "values")?;
        self.size_in_range("the column chunk's uncompressed size", uncompressed)?;
        let data_end = self.data_end;
        // An empty chunk may point at 0 (pyarrow writes data_page_offset 0 when a chunk has
        // no data page); a chunk with bytes must lie between the magic and the footer.
        let in_data = |what: &str, offset: i64| -> Result<u64, String> {
            match u64::try_from(offset) {
                Ok(o) if o <= data_end => Ok(o),
                _ => Err(format!(
                    "{what} {offset} lies outside the column data (bytes 4..{data_end})"
                )),
            }
        };
        let data_start = in_data("data page offset", data_page)?;
        if let Some(offset) = meta.index_page_offset {
            self.in_file("index page", offset, 0)?;
        }
        if let Some(offset) = meta.bloom_filter_offset {
            let length = meta.bloom_filter_length.map_or(0, i64::from);
            self.in_file("bloom filter", offset, length)?;
        }
        // polars reads the chunk from the dictionary page if there is one, else from the
        // first data page, for total_compressed_size bytes.
        let start = match meta.dictionary_page_offset {
            Some(offset) => in_data("dictionary page offset", offset)?,
            None => data_start,
        };
        let length = u64::try_from(compressed)
            .map_err(|_| format!("the column chunk's compressed size is {compressed}"))?;
        let end = start.saturating_add(length);
        if length > 0 && (start < 4 || end > data_end) {
            return Err(format!(
                "the column chunk (bytes {start}..{end}) lies outside the column data (bytes 4..{data_end})"
            ));
        }
        // Chunks do not overlap in a sound file; this also bounds the page walk to the file.
        self.chunk_bytes += length;
        if self.chunk_bytes > data_end - 4 {
            return Err(format!(
                "the column chunks claim {} bytes in all, more than the {} bytes of column data",
                self.chunk_bytes,
                data_end - 4
            ));
        }
        // Both bounds are at most data_end, itself a position in the file.
        let chunk = usize::try_from(start)
            .ok()
            .zip(usize::try_from(end).ok())
            .and_then(|(start, end)| self.file.get(start..end))
            .ok_or_else(|| format!("the column chunk (bytes {start}..{end}) is not in the file"))?;
        self.pages(chunk)
    }

    /// Walk the pages of a column chunk until its bytes are used up.
    fn pages(&self, chunk: &[u8]) -> Result<(), String> {
        let mut pos = 0;
        let mut page = 0usize;
        while pos < chunk.len() {
            let at = |e: String| format!("page {page}: {e}");
            let mut r = Thrift::new(&chunk[pos..], Area::PageHeader);
            let info = page_header(&mut r, self.limits.max_rows).map_err(at)?;
            let (Some(uncompressed), Some(compressed)) = (info.uncompressed, info.compressed)
            else {
                return Err(at("page header lacks its page sizes".to_string()));
            };
            self.size_in_range("uncompressed page", i64::from(uncompressed))
                .map_err(at)?;
            let left = r.remaining();
            let Some(page_len) = usize::try_from(compressed).ok().filter(|&c| c <= left) else {
                return Err(at(format!(
                    "compressed page of {compressed} bytes cannot fit in the {left} bytes left in the column chunk"
                )));
            };
            if let Some([values, nulls, def_len, rep_len]) = info.v2 {
                if let (Some(values), Some(nulls)) = (values, nulls) {
                    if nulls > values {
                        return Err(at(format!(
                            "v2 data page has {nulls} nulls among {values} values"
                        )));
                    }
                }
                let def_len = i64::from(def_len.unwrap_or(0));
                let rep_len = i64::from(rep_len.unwrap_or(0));
                // The levels are stored uncompressed at the start of the page and counted
                // in both sizes; polars copies them before decompressing the rest.
                let room = i64::from(compressed.min(uncompressed));
                if def_len < 0 || rep_len < 0 || def_len + rep_len > room {
                    return Err(at(format!(
                        "v2 data page levels of {def_len} + {rep_len} bytes do not fit in a page of {compressed} bytes ({uncompressed} uncompressed)"
                    )));
                }
            }
            pos += r.pos + page_len;
            page += 1;
        }
        Ok(())
    }
}

/// Refuse a row or value count outside `0..=max_rows`.
fn count_in_range(what: &str, count: i64, unit: &str, max_rows: u64) -> Result<(), String> {
    if u64::try_from(count).is_ok_and(|c| c <= max_rows) {
        return Ok(());
    }
    Err(format!(
        "{what} claims {count} {unit}; the file may hold at most {max_rows}"
    ))
}

/// A known `list<KeyValue>` field (file metadata), each a key and an optional value.
fn key_values(r: &mut Thrift<'_>, f: Field, name: &str) -> Result<(), String> {
    let count = r.begin_list(f, name, Want::Struct, "key-value entries")?;
    for _ in 0..count {
        r.walk_struct(|r, f| {
            match f.id {
                1 => r.binary_field(f, "KeyValue.key")?,
                2 => r.binary_field(f, "KeyValue.value")?,
                _ => return Ok(false),
            }
            Ok(true)
        })?;
    }
    r.leave();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::{Path, PathBuf};

    /// Root of the gridstrain repository, which holds the fixtures below. (This module
    /// lives in `src/input/`; if it moves to another crate, change only this.)
    const REPO_ROOT: &str = env!("CARGO_MANIFEST_DIR");

    /// Files that made polars abort (or allocate 13–38 GB): all must be refused.
    const REPRODUCERS: &str = "fuzz/reproducers/parquet_load";
    /// Files on which polars panics (caught by the caller): either answer is fine.
    const CORRUPT: &str = "tests/fixtures/corrupt";
    /// Real and hand-made load files: all must pass.
    const SOUND: [&str; 3] = [
        "regions/load",
        "tests/fixtures/small/regions/load",
        "fuzz/corpus-seeds/parquet_load",
    ];

    /// The `.parquet` files of a folder under [`REPO_ROOT`], sorted.
    fn parquet_files(folder: &str) -> Vec<PathBuf> {
        let dir = Path::new(REPO_ROOT).join(folder);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|entry| entry.expect("directory entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "parquet"))
            .collect();
        files.sort();
        files
    }

    /// Check a file with the default limits.
    fn check_file(path: &Path) -> Result<(), String> {
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        check_parquet_bounds(&bytes, &ParquetLimits::default())
    }

    /// A decoder over `bytes`, in the footer.
    fn footer(bytes: &[u8]) -> Thrift<'_> {
        Thrift::new(bytes, Area::Footer)
    }

    #[test]
    fn varints_decode_and_refuse_overlong() {
        let read = |bytes: &[u8]| footer(bytes).varint();
        assert_eq!(read(&[0x00]), Ok(0));
        assert_eq!(read(&[0x7f]), Ok(127));
        assert_eq!(read(&[0x80, 0x01]), Ok(128));
        assert_eq!(read(&[0xac, 0x02]), Ok(300));
        assert_eq!(
            read(&[0xff, 0xff, 0xff, 0xff, 0x0f]),
            Ok(u64::from(u32::MAX))
        );
        let mut max = vec![0xff; 9];
        max.push(0x01);
        assert_eq!(read(&max), Ok(u64::MAX));
        // Bits beyond 64, eleven bytes, a varint cut short.
        let mut wide = vec![0xff; 9];
        wide.push(0x02);
        assert!(read(&wide).unwrap_err().contains("wider than 64 bits"));
        assert!(
            read(&[0x80; 11])
                .unwrap_err()
                .contains("longer than 10 bytes")
        );
        assert!(read(&[0x80]).unwrap_err().contains("cut short"));
        // The decoder stops after the varint.
        let mut r = footer(&[0x80, 0x01, 0x05]);
        assert_eq!(r.varint(), Ok(128));
        assert_eq!(r.remaining(), 1);
    }

    #[test]
    fn zigzag_decodes() {
        assert_eq!(zigzag(0), 0);
        assert_eq!(zigzag(1), -1);
        assert_eq!(zigzag(2), 1);
        assert_eq!(zigzag(3), -2);
        assert_eq!(zigzag(4_294_967_294), 2_147_483_647);
        assert_eq!(zigzag(4_294_967_295), -2_147_483_648);
        assert_eq!(zigzag(u64::MAX - 1), i64::MAX);
        assert_eq!(zigzag(u64::MAX), i64::MIN);
    }

    #[test]
    fn list_longer_than_the_bytes_left_is_refused() {
        // list<struct>, count 100 as a varint after the 0xF nibble, then 10 bytes.
        let mut bytes = vec![0xfc, 100];
        bytes.extend([0u8; 10]);
        let err = footer(&bytes).list_header("row groups").unwrap_err();
        assert_eq!(err, "footer list of 100 row groups cannot fit in 10 bytes");
        // Exactly as many one-byte elements as bytes left is fine.
        let mut bytes = vec![0xfc, 10];
        bytes.extend([0u8; 10]);
        assert_eq!(footer(&bytes).list_header("row groups"), Ok((T_STRUCT, 10)));
        // Doubles take 8 bytes each: 2 need 16.
        let bytes = [0x27, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        assert!(footer(&bytes).list_header("doubles").is_err());
        // 2^61 key-value entries, as in the reproducers.
        let mut bytes = vec![0xfc];
        bytes.extend([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20]);
        let err = footer(&bytes).list_header("key-value entries").unwrap_err();
        assert!(err.contains("2305843009213693952 key-value entries cannot fit in 0 bytes"));
        // A binary longer than the bytes left, and a map with too many pairs.
        let err = footer(&[0x05, b'a', b'b']).binary("key").unwrap_err();
        assert_eq!(err, "footer key of 5 bytes cannot fit in 2 bytes");
        assert!(footer(&[0x03, 0x88, 0x00, 0x00]).map_header().is_err());
        // An empty list written as a bare 0x00 (fastparquet) is accepted.
        assert_eq!(footer(&[0x00]).list_header("x"), Ok((0, 0)));
    }

    #[test]
    fn unknown_fields_of_every_type_are_skipped() {
        let bytes = [
            0x11, // field 1: bool true
            0x12, // field 2: bool false
            0x13, 0xff, // field 3: byte
            0x14, 0x80, 0x01, // field 4: i16
            0x15, 0x03, // field 5: i32
            0x16, 0xff, 0xff, 0xff, 0xff, 0x0f, // field 6: i64
            0x17, 1, 2, 3, 4, 5, 6, 7, 8, // field 7: double
            0x18, 0x02, b'h', b'i', // field 8: binary
            0x19, 0x25, 0x02, 0x04, // field 9: list<i32> [1, 2]
            0x1a, 0x18, 0x01, b'x', // field 10: set<binary> {"x"}
            0x1b, 0x02, 0x85, 0x01, b'k', 0x02, 0x01, b'l',
            0x04, // field 11: map<binary, i32>
            0x1c, 0x15, 0x02, 0x1c, 0x00, 0x00, // field 12: struct { 1: i32, 2: struct {} }
            0x09, 0x74, 0x2c, 0x00,
            0x00, // field 58 (long form, zigzag 116): list<struct> ×2
            0x19, 0x11, 0x01, // field 59: list<bool> [true] (fine outside the footer)
            0x00, // stop
            0xaa, // the next byte, not part of the struct
        ];
        let mut r = Thrift::new(&bytes, Area::PageHeader);
        r.skip(T_STRUCT).expect("skips");
        assert_eq!(r.remaining(), 1);
        assert_eq!(r.depth, 0);
        // In the footer, polars would not consume the bool element: refused.
        let mut r = footer(&bytes);
        assert!(r.skip(T_STRUCT).unwrap_err().contains("list of booleans"));
        // Without that field the footer skips the same struct.
        let mut trimmed = bytes[..bytes.len() - 5].to_vec();
        trimmed.extend([0x00, 0xaa]);
        let mut r = footer(&trimmed);
        r.skip(T_STRUCT).expect("skips");
        assert_eq!(r.remaining(), 1);
    }

    #[test]
    fn deep_nesting_and_bad_headers_are_refused() {
        // 100 structs, each the first field of the one around it.
        let mut bytes = vec![0x1c; 100];
        bytes.extend([0x00; 101]);
        let err = footer(&bytes).skip(T_STRUCT).unwrap_err();
        assert!(err.contains("nests deeper than 64"), "{err}");
        // Unknown type 13; field id overflow; known field of the wrong type.
        assert!(footer(&[0x1d, 0x00]).skip(T_STRUCT).is_err());
        // Field 32767 (long form), then a delta past i16::MAX; then id 32768.
        let mut long_id = footer(&[0x05, 0xfe, 0xff, 0x03, 0x15, 0x15, 0x00]);
        assert!(long_id.skip(T_STRUCT).unwrap_err().contains("beyond i16"));
        let mut long_id = footer(&[0x05, 0x80, 0x80, 0x04, 0x15, 0x00]);
        assert!(long_id.skip(T_STRUCT).unwrap_err().contains("beyond i16"));
        let err = statistics(&mut footer(&[0x38, 0x00, 0x00])).unwrap_err();
        assert!(
            err.contains("Statistics.null_count has thrift type 8"),
            "{err}"
        );
        // An i32 field beyond i32.
        let mut r = footer(&[0x80, 0x80, 0x80, 0x80, 0x10]);
        let field = Field { id: 1, ty: T_I32 };
        assert!(
            r.i32_field(field, "x")
                .unwrap_err()
                .contains("beyond its i32")
        );
    }

    #[test]
    fn reproducers_are_refused() {
        let files = parquet_files(REPRODUCERS);
        assert_eq!(
            files.len(),
            7,
            "expected the 7 reproducers of fuzz/reproducers"
        );
        for path in files {
            let outcome = check_file(&path);
            println!("{}: {outcome:?}", path.display());
            assert!(outcome.is_err(), "{} was accepted", path.display());
        }
    }

    #[test]
    fn corrupt_fixtures_are_refused_by_the_guarded_read() {
        let files = parquet_files(CORRUPT);
        assert!(!files.is_empty());
        for path in files {
            // polars panics on these: the guard refuses them, or the guarded read catches
            // the panic; either way the reader gets one error naming the file, never a
            // frame and never an abort.
            let error = crate::input::load_file::read_guarded_parquet(
                &path,
                crate::input::bounded::LOAD_PARQUET_LIMIT,
                crate::input::load_file::MAX_LOAD_ROWS,
                "expected a load file",
            )
            .expect_err("a corrupt file must not give a frame")
            .to_string();
            assert!(
                error.contains(&path.display().to_string())
                    && error.contains("not a readable Parquet file"),
                "{error}"
            );
        }
    }

    #[test]
    fn sound_files_pass() {
        let mut seen = 0;
        for folder in SOUND {
            for path in parquet_files(folder) {
                assert_eq!(check_file(&path), Ok(()), "{}", path.display());
                seen += 1;
            }
        }
        assert!(seen >= 24, "only {seen} sound files found");
    }

    /// Minimal thrift compact-protocol writer for synthetic footers and page headers.
    #[derive(Default)]
    struct Writer {
        /// Bytes so far.
        bytes: Vec<u8>,
        /// Id of the last field written.
        last: i16,
    }

    /// Append `value` as a varint.
    fn put_varint(mut value: u64, out: &mut Vec<u8>) {
        while value >= 0x80 {
            out.push((value & 0x7f) as u8 | 0x80);
            value >>= 7;
        }
        out.push(value as u8);
    }

    impl Writer {
        /// A field header, short form when the id delta fits in a nibble.
        fn header(&mut self, id: i16, ty: u8) {
            match u8::try_from(id - self.last) {
                Ok(delta @ 1..=15) => self.bytes.push(delta << 4 | ty),
                _ => {
                    self.bytes.push(ty);
                    put_varint(((id << 1) ^ (id >> 15)) as u16 as u64, &mut self.bytes);
                }
            }
            self.last = id;
        }

        /// An integer field of wire type `ty`.
        fn int(mut self, id: i16, ty: u8, value: i64) -> Self {
            self.header(id, ty);
            put_varint(((value << 1) ^ (value >> 63)) as u64, &mut self.bytes);
            self
        }

        /// A binary field.
        fn binary(mut self, id: i16, value: &[u8]) -> Self {
            self.header(id, T_BINARY);
            put_varint(value.len() as u64, &mut self.bytes);
            self.bytes.extend(value);
            self
        }

        /// A struct field.
        fn strukt(mut self, id: i16, inner: Writer) -> Self {
            self.header(id, T_STRUCT);
            self.bytes.extend(inner.finish());
            self
        }

        /// A list field claiming `count` elements of type `elem`, followed by `items`.
        fn list(mut self, id: i16, elem: u8, count: u64, items: &[Vec<u8>]) -> Self {
            self.header(id, T_LIST);
            if count < 15 {
                self.bytes.push((count as u8) << 4 | elem);
            } else {
                self.bytes.push(0xf0 | elem);
                put_varint(count, &mut self.bytes);
            }
            for item in items {
                self.bytes.extend(item);
            }
            self
        }

        /// The struct's bytes with its stop byte.
        fn finish(mut self) -> Vec<u8> {
            self.bytes.push(T_STOP);
            self.bytes
        }
    }

    /// A Parquet file of `data` (from byte 4) and `footer`.
    fn parquet(data: &[u8], footer: &[u8]) -> Vec<u8> {
        let mut file = MAGIC.to_vec();
        file.extend(data);
        file.extend(footer);
        file.extend((footer.len() as u32).to_le_bytes());
        file.extend(MAGIC);
        file
    }

    /// A footer with a root and one INT64 leaf, 10 rows and the given row groups.
    fn footer_with(row_groups: &[Vec<u8>]) -> Vec<u8> {
        let root = Writer::default()
            .binary(4, b"schema")
            .int(5, T_I32, 1)
            .finish();
        let leaf = Writer::default()
            .int(1, T_I32, 2)
            .int(3, T_I32, 0)
            .binary(4, b"x")
            .finish();
        Writer::default()
            .int(1, T_I32, 1)
            .list(2, T_STRUCT, 2, &[root, leaf])
            .int(3, T_I64, 10)
            .list(4, T_STRUCT, row_groups.len() as u64, row_groups)
            .finish()
    }

    /// A file whose only row group has `columns` column chunks, all on the same single
    /// page (header `page`, then `payload` bytes).
    fn one_page_file(page: Writer, payload: usize, columns: usize) -> Vec<u8> {
        let mut data = page.finish();
        data.extend(vec![0u8; payload]);
        let len = data.len() as i64;
        let meta = Writer::default()
            .int(1, T_I32, 2)
            .list(2, T_I32, 1, &[vec![0]])
            .list(3, T_BINARY, 1, &[b"\x01x".to_vec()])
            .int(4, T_I32, 0)
            .int(5, T_I64, 10)
            .int(6, T_I64, len)
            .int(7, T_I64, len)
            .int(9, T_I64, 4);
        let chunk = Writer::default().int(2, T_I64, 4).strukt(3, meta).finish();
        let row_group = Writer::default()
            .list(1, T_STRUCT, columns as u64, &vec![chunk; columns])
            .int(2, T_I64, len)
            .int(3, T_I64, 10)
            .finish();
        parquet(&data, &footer_with(&[row_group]))
    }

    /// A v1 data page header.
    fn v1_page(num_values: i64, uncompressed: i64, compressed: i64) -> Writer {
        let data_page = Writer::default()
            .int(1, T_I32, num_values)
            .int(2, T_I32, 0)
            .int(3, T_I32, 3)
            .int(4, T_I32, 3);
        Writer::default()
            .int(1, T_I32, 0)
            .int(2, T_I32, uncompressed)
            .int(3, T_I32, compressed)
            .strukt(5, data_page)
    }

    /// A v2 data page header with the given level byte lengths.
    fn v2_page(num_values: i64, num_nulls: i64, def_len: i64, rep_len: i64) -> Writer {
        let data_page = Writer::default()
            .int(1, T_I32, num_values)
            .int(2, T_I32, num_nulls)
            .int(3, T_I32, num_values)
            .int(4, T_I32, 0)
            .int(5, T_I32, def_len)
            .int(6, T_I32, rep_len);
        Writer::default()
            .int(1, T_I32, 3)
            .int(2, T_I32, 80)
            .int(3, T_I32, 80)
            .strukt(8, data_page)
    }

    #[test]
    fn synthetic_pages_are_checked() {
        let limits = ParquetLimits::default();
        let check = |file: Vec<u8>| check_parquet_bounds(&file, &limits);
        assert_eq!(check(one_page_file(v1_page(10, 80, 80), 80, 1)), Ok(()));
        assert_eq!(check(one_page_file(v2_page(10, 2, 2, 0), 80, 1)), Ok(()));
        let refused = [
            (
                one_page_file(v1_page(-1, 80, 80), 80, 1),
                "the data page claims -1 values",
            ),
            (
                one_page_file(v1_page(10, 80, 81), 80, 1),
                "compressed page of 81 bytes",
            ),
            (
                one_page_file(v1_page(10, -5, 80), 80, 1),
                "uncompressed page of -5 bytes",
            ),
            (
                one_page_file(v1_page(10, 1 << 30, 80), 80, 1),
                "uncompressed page of",
            ),
            (
                one_page_file(v2_page(10, 11, 2, 0), 80, 1),
                "11 nulls among 10 values",
            ),
            (
                one_page_file(v2_page(10, 0, 50, 40), 80, 1),
                "levels of 50 + 40 bytes",
            ),
            (
                one_page_file(v2_page(10, 0, -1, 0), 80, 1),
                "levels of -1 + 0 bytes",
            ),
            (
                one_page_file(v2_page(20_000_000, 0, 0, 0), 80, 1),
                "claims 20000000 values",
            ),
            // Two chunks on the same bytes.
            (
                one_page_file(v1_page(10, 80, 80), 80, 2),
                "column chunks claim",
            ),
        ];
        for (file, expected) in refused {
            let err = check(file).unwrap_err();
            assert!(err.contains(expected), "{err} (expected {expected})");
        }
        // A dictionary page of 2^31 - 1 entries.
        let dict = Writer::default()
            .int(1, T_I32, 2)
            .int(2, T_I32, 80)
            .int(3, T_I32, 80)
            .strukt(
                7,
                Writer::default()
                    .int(1, T_I32, i64::from(i32::MAX))
                    .int(2, T_I32, 0),
            );
        let err = check(one_page_file(dict, 80, 1)).unwrap_err();
        assert_eq!(
            err,
            "row group 0, column 0: page 0: the dictionary page claims 2147483647 values; the file may hold at most 10000000"
        );
    }

    #[test]
    fn synthetic_footers_are_checked() {
        let limits = ParquetLimits::default();
        // A row group claiming 2^61 rows.
        let row_group = Writer::default()
            .list(1, T_STRUCT, 0, &[])
            .int(2, T_I64, 0)
            .int(3, T_I64, 1 << 61)
            .finish();
        let file = parquet(&[], &footer_with(&[row_group]));
        assert_eq!(
            check_parquet_bounds(&file, &limits),
            Err(
                "row group 0 claims 2305843009213693952 rows; the file may hold at most 10000000"
                    .to_string()
            )
        );
        // Row groups of 6 million rows each: fine alone, too many together.
        let row_group = Writer::default()
            .list(1, T_STRUCT, 0, &[])
            .int(2, T_I64, 0)
            .int(3, T_I64, 6_000_000)
            .finish();
        let file = parquet(&[], &footer_with(&[row_group.clone(), row_group]));
        let err = check_parquet_bounds(&file, &limits).unwrap_err();
        assert!(err.contains("claim 12000000 rows in all"), "{err}");
        // 35 million key-value entries in a footer of a few dozen bytes.
        let mut footer = footer_with(&[]);
        footer.pop();
        let mut footer = Writer {
            bytes: footer,
            last: 4,
        }
        .list(5, T_STRUCT, 35_000_000, &[]);
        footer.bytes.extend([0u8; 900]);
        let file = parquet(&[], &footer.finish());
        assert_eq!(
            check_parquet_bounds(&file, &limits),
            Err("footer list of 35000000 key-value entries cannot fit in 901 bytes".to_string())
        );
        // A schema 100 groups deep.
        let group = Writer::default().binary(4, b"g").int(5, T_I32, 1).finish();
        let schema = vec![group; 100];
        let footer = Writer::default()
            .int(1, T_I32, 1)
            .list(2, T_STRUCT, 100, &schema)
            .finish();
        let err = check_parquet_bounds(&parquet(&[], &footer), &limits).unwrap_err();
        assert!(err.contains("schema nests deeper than 64"), "{err}");
        // A chunk running into the footer.
        let meta = Writer::default()
            .int(5, T_I64, 10)
            .int(6, T_I64, 100)
            .int(7, T_I64, 100)
            .int(9, T_I64, 4);
        let chunk = Writer::default().strukt(3, meta).finish();
        let row_group = Writer::default()
            .list(1, T_STRUCT, 1, &[chunk])
            .int(3, T_I64, 10)
            .finish();
        let file = parquet(&[0u8; 10], &footer_with(&[row_group]));
        let err = check_parquet_bounds(&file, &limits).unwrap_err();
        assert!(
            err.contains("bytes 4..104) lies outside the column data (bytes 4..14)"),
            "{err}"
        );
        // Magic and footer length.
        assert!(check_parquet_bounds(b"PAR1PAR1", &limits).is_err());
        let mut file = parquet(&[], &footer_with(&[]));
        let len = file.len();
        file[len - 8..len - 4].copy_from_slice(&u32::MAX.to_le_bytes());
        let err = check_parquet_bounds(&file, &limits).unwrap_err();
        assert!(
            err.contains("footer of 4294967295 bytes cannot fit"),
            "{err}"
        );
        assert_eq!(
            check_parquet_bounds(&parquet(&[], &footer_with(&[])), &limits),
            Ok(())
        );
    }

    #[test]
    fn tight_limits_refuse_a_real_file() {
        let path = Path::new(REPO_ROOT).join("tests/fixtures/small/regions/load/PGE.parquet");
        let bytes = std::fs::read(&path).expect("fixture");
        let err = check_parquet_bounds(&bytes, &ParquetLimits { max_rows: 10 }).unwrap_err();
        assert!(err.contains("the file may hold at most 10"), "{err}");
    }

    /// xorshift64: a small deterministic generator, no crates needed.
    struct XorShift(u64);

    impl XorShift {
        /// Next pseudo-random number.
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        /// A number in `0..n` (n > 0).
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    #[test]
    fn mutations_and_truncations_never_panic() {
        let path = Path::new(REPO_ROOT).join("tests/fixtures/small/regions/load/PGE.parquet");
        let original = std::fs::read(&path).expect("fixture");
        let len = original.len();
        let footer_len =
            u32::from_le_bytes(original[len - 8..len - 4].try_into().expect("4 bytes")) as usize;
        let footer_start = len - 8 - footer_len;
        let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
        let limits = ParquetLimits::default();
        let (mut refused, mut truncated, mut read_back) = (0, 0, 0);
        let dir = tempfile::tempdir().expect("temp dir");
        let rounds = 4000;
        for round in 0..rounds {
            let mut bytes = original.clone();
            let cut = round % 4 == 3;
            match round % 4 {
                // Anywhere in the file (most bytes are page data, some page headers).
                0 => bytes[rng.below(len)] = rng.next() as u8,
                // In the footer, where most counts live.
                1 | 2 => bytes[footer_start + rng.below(len - footer_start)] = rng.next() as u8,
                // Cut short.
                _ => bytes.truncate(rng.below(len)),
            }
            match check_parquet_bounds(&bytes, &limits) {
                Err(why) => {
                    refused += 1;
                    assert!(!why.is_empty(), "a refusal says why");
                }
                // A file cut short has lost its footer: it can never pass.
                Ok(()) => {
                    assert!(!cut, "a file cut to {} of {len} bytes passed", bytes.len());
                    // What passes goes on to polars inside the guarded read: a frame or
                    // one error, never an abort (an abort ends this test).
                    if read_back < 200 {
                        read_back += 1;
                        let file = dir.path().join(format!("mutant_{round}.parquet"));
                        std::fs::write(&file, &bytes).expect("temp file");
                        let _ = crate::input::load_file::read_guarded_parquet(
                            &file,
                            crate::input::bounded::LOAD_PARQUET_LIMIT,
                            crate::input::load_file::MAX_LOAD_ROWS,
                            "expected a load file",
                        );
                    }
                }
            }
            truncated += usize::from(cut);
        }
        // Every cut was refused, and byte flips in the footer are mostly caught (the
        // rest change a value, not a count, and reach polars inside the guarded read).
        assert_eq!(truncated, rounds / 4);
        assert!(
            refused >= rounds / 4 + rounds / 8,
            "{refused} of {rounds} refused"
        );
        assert!(read_back > 0, "no mutant reached the guarded read");
        // Page headers near the start of the chunks: mutate each of their bytes.
        let data_end = footer_start.min(4096);
        for pos in 4..data_end {
            let mut bytes = original.clone();
            bytes[pos] ^= 0x80 | rng.next() as u8;
            let _ = check_parquet_bounds(&bytes, &limits);
        }
    }
}

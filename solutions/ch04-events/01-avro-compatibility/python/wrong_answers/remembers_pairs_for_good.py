# wrong: keeps every pair of named types it has compared in one set for good, so a pair that failed once passes the next time
PRIMITIVES = {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}
# (writer, reader): the promotions schema resolution allows, and no others
PROMOTIONS = {
    ("int", "long"),
    ("int", "float"),
    ("int", "double"),
    ("long", "float"),
    ("long", "double"),
    ("float", "double"),
    ("string", "bytes"),
    ("bytes", "string"),
}


def short(name):
    """A name without its namespace: "com.shop.Order" -> "Order"."""
    return name.rsplit(".", 1)[-1]


def named_types(schema, found=None):
    """Every record, enum and fixed that `schema` defines, by short name (given)."""
    if found is None:
        found = {}
    if isinstance(schema, list):
        for branch in schema:
            named_types(branch, found)
    elif isinstance(schema, dict):
        kind = schema["type"]
        if kind in ("record", "enum", "fixed"):
            found[short(schema["name"])] = schema
        if kind == "record":
            for field in schema["fields"]:
                named_types(field["type"], found)
        elif kind == "array":
            named_types(schema["items"], found)
        elif kind == "map":
            named_types(schema["values"], found)
    return found


def plain_type(schema, names):
    """The schema with a named reference ("Order") replaced by its definition,
    and a primitive written as an object ({"type": "int", "logicalType": ...})
    by the primitive's name (given)."""
    if isinstance(schema, str) and schema not in PRIMITIVES:
        return names[short(schema)]
    if isinstance(schema, dict) and schema["type"] in PRIMITIVES:
        return schema["type"]
    return schema


def can_read(reader, writer):
    """Whether data written with the schema `writer` can be read with `reader`.

    Both are Avro schemas as parsed JSON: a str (a primitive, or a named type
    defined elsewhere in the same schema), a dict, or a list (a union).
    """
    return resolves(reader, writer, named_types(reader), named_types(writer), set())


def resolves(reader, writer, reader_names, writer_names, comparing):
    """can_read for two parts of the schemas. `comparing` holds the pairs of
    named types, (reader's short name, writer's short name), being compared
    further up: the way out of a recursive type."""
    reader = plain_type(reader, reader_names)
    writer = plain_type(writer, writer_names)
    if isinstance(writer, list):  # every branch the writer may have used
        return all(resolves(reader, w, reader_names, writer_names, comparing) for w in writer)
    if isinstance(reader, list):  # one reader branch is enough
        return any(resolves(r, writer, reader_names, writer_names, comparing) for r in reader)
    if isinstance(reader, str) and isinstance(writer, str):
        return reader == writer or (writer, reader) in PROMOTIONS
    if isinstance(reader, str) or isinstance(writer, str):
        return False  # a primitive and a complex type
    kind = reader["type"]
    if kind != writer["type"]:
        return False
    if kind == "array":
        return resolves(reader["items"], writer["items"], reader_names, writer_names, comparing)
    if kind == "map":
        return resolves(reader["values"], writer["values"], reader_names, writer_names, comparing)
    if not same_name(reader, writer):
        return False
    pair = (short(reader["name"]), short(writer["name"]))
    if pair in comparing:
        return True  # already being compared further up: assumed compatible
    comparing.add(pair)
    if kind == "fixed":
        return reader["size"] == writer["size"]
    if kind == "enum":
        return "default" in reader or set(writer["symbols"]) <= set(reader["symbols"])
    for field in reader["fields"]:
        written = writer_field(writer, field)
        if written is None:
            if "default" not in field:
                return False  # nothing to read it from
        elif not resolves(field["type"], written["type"], reader_names, writer_names, comparing):
            return False
    return True


def same_name(reader, writer):
    """Whether two named types match: the same short name, or the writer's
    name is one of the reader's aliases."""
    aliases = {short(a) for a in reader.get("aliases", [])}
    return short(reader["name"]) == short(writer["name"]) or short(writer["name"]) in aliases


def writer_field(writer, field):
    """The writer's field that the reader's `field` reads (the same name, else
    one of the field's aliases), or None."""
    by_name = {f["name"]: f for f in writer["fields"]}
    for name in [field["name"], *field.get("aliases", [])]:
        if name in by_name:
            return by_name[name]
    return None

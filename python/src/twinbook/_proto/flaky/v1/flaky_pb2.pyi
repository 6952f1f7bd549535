from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class CallRequest(_message.Message):
    __slots__ = ("payload", "fail_code", "delay_ms")
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    FAIL_CODE_FIELD_NUMBER: _ClassVar[int]
    DELAY_MS_FIELD_NUMBER: _ClassVar[int]
    payload: str
    fail_code: int
    delay_ms: int
    def __init__(self, payload: _Optional[str] = ..., fail_code: _Optional[int] = ..., delay_ms: _Optional[int] = ...) -> None: ...

class CallResponse(_message.Message):
    __slots__ = ("payload", "served")
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    SERVED_FIELD_NUMBER: _ClassVar[int]
    payload: str
    served: int
    def __init__(self, payload: _Optional[str] = ..., served: _Optional[int] = ...) -> None: ...

class WatchRequest(_message.Message):
    __slots__ = ("payload", "count", "fail_code")
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    FAIL_CODE_FIELD_NUMBER: _ClassVar[int]
    payload: str
    count: int
    fail_code: int
    def __init__(self, payload: _Optional[str] = ..., count: _Optional[int] = ..., fail_code: _Optional[int] = ...) -> None: ...

class SetModeRequest(_message.Message):
    __slots__ = ("code", "message")
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    code: int
    message: str
    def __init__(self, code: _Optional[int] = ..., message: _Optional[str] = ...) -> None: ...

class SetModeResponse(_message.Message):
    __slots__ = ("previous_code",)
    PREVIOUS_CODE_FIELD_NUMBER: _ClassVar[int]
    previous_code: int
    def __init__(self, previous_code: _Optional[int] = ...) -> None: ...

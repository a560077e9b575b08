// ACME THP-1 (a test fixture in the style of The Things Network's Device Repository codecs):
// temperature, humidity, pressure and battery, each value after its channel byte.
const CHANNELS = {
  0x01: { name: "temperature", size: 2, read: (b) => int16(b) / 10 },
  0x02: { name: "humidity", size: 1, read: (b) => b[0] / 2 },
  0x03: { name: "pressure", size: 2, read: (b) => uint16(b) / 10 + 900 },
  0xff: { name: "battery", size: 1, read: (b) => b[0] / 50 },
};

function uint16(bytes) {
  return (bytes[0] << 8) | bytes[1];
}

function int16(bytes) {
  const value = uint16(bytes);
  return value > 0x7fff ? value - 0x10000 : value;
}

function toHex(bytes) {
  return bytes.map((b) => b.toString(16).padStart(2, "0")).join("");
}

function decodeUplink(input) {
  if (input.fPort !== 2) {
    return { errors: [`unknown fPort ${input.fPort}`] };
  }

  const data = {};
  const warnings = [];
  let i = 0;
  while (i < input.bytes.length) {
    const channel = CHANNELS[input.bytes[i]];
    if (!channel) {
      return { errors: [`unknown channel 0x${toHex([input.bytes[i]])} in ${toHex(input.bytes)}`] };
    }

    const value = input.bytes.slice(i + 1, i + 1 + channel.size);
    if (value.length < channel.size) {
      return { errors: [`${channel.name} is cut short`] };
    }

    data[channel.name] = channel.read(value);
    i += 1 + channel.size;
  }

  if (data.battery !== undefined && data.battery < 2.5) {
    warnings.push("battery low");
  }

  return { data, warnings };
}

function normalizeUplink(input) {
  const { temperature, humidity, pressure, battery } = input.data;
  return {
    data: {
      air: { temperature, relativeHumidity: humidity, pressure },
      battery,
    },
  };
}

function encodeDownlink(input) {
  const minutes = input.data.interval;
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > 1440) {
    return { errors: ["interval is 1 to 1440 minutes"] };
  }

  return { bytes: [0x10, minutes >> 8, minutes & 0xff], fPort: 3 };
}

function decodeDownlink(input) {
  const [command, high, low] = input.bytes;
  if (command !== 0x10) {
    return { errors: ["unknown command"] };
  }

  return { data: { interval: (high << 8) | low } };
}

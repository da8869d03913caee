package io.github.redisgovernor.test.redis;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.stream.Collectors;

import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.CommandOutput;

/**
 * Renders any reply as text: strings and numbers as themselves, a nil reply as
 * {@code null} (or {@code (nil)} inside an array), an array as one element per line with
 * nested arrays shown as {@code [a, b]}.
 */
final class TextOutput extends CommandOutput<String, String, String> {

	private static final class Frame {

		final List<Object> items;

		int remaining;

		Frame(int count) {
			items = new ArrayList<>(count);
			remaining = count;
		}

	}

	private final Deque<Frame> frames = new ArrayDeque<>();

	private Object reply;

	TextOutput() {
		super(StringCodec.UTF8, null);
	}

	@Override
	public void set(ByteBuffer bytes) {
		add(bytes == null ? null : decodeString(bytes));
	}

	@Override
	public void set(long integer) {
		add(integer);
	}

	@Override
	public void set(double number) {
		add(number);
	}

	@Override
	public void set(boolean value) {
		add(value);
	}

	@Override
	public void multi(int count) {
		if (count < 0) {
			add(null); // nil array
		}
		else if (count == 0) {
			add(List.of());
		}
		else {
			frames.push(new Frame(count));
		}
	}

	private void add(Object value) {
		Object completed = value;
		while (!frames.isEmpty()) {
			Frame frame = frames.peek();
			frame.items.add(completed);
			if (--frame.remaining > 0) {
				return;
			}
			frames.pop();
			completed = frame.items;
		}
		reply = completed;
	}

	@Override
	public String get() {
		if (reply instanceof List<?> items) {
			return items.stream().map(TextOutput::nested).collect(Collectors.joining("\n"));
		}
		return reply == null ? null : reply.toString();
	}

	private static String nested(Object value) {
		if (value instanceof List<?> items) {
			return items.stream().map(TextOutput::nested).collect(Collectors.joining(", ", "[", "]"));
		}
		return value == null ? "(nil)" : value.toString();
	}

}

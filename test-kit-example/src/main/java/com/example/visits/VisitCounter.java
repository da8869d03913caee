package com.example.visits;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Service;

/** Counts visits per page in Redis, under {@code visits:<page>}. */
@Service
public class VisitCounter {

	private final StringRedisTemplate redis;

	/**
	 * Creates the counter.
	 * @param redis the template Spring Boot configures from {@code spring.data.redis.*}
	 */
	public VisitCounter(StringRedisTemplate redis) {
		this.redis = redis;
	}

	/**
	 * Counts a visit.
	 * @param page the page visited
	 * @return the visits of the page so far, this one included
	 */
	public long visit(String page) {
		Long visits = this.redis.opsForValue().increment(key(page));
		if (visits == null) {
			throw new IllegalStateException("INCR returned nothing");
		}
		return visits;
	}

	/**
	 * The visits of a page so far.
	 * @param page the page
	 * @return the number of visits, 0 for a page never visited
	 */
	public long visits(String page) {
		String visits = this.redis.opsForValue().get(key(page));
		return (visits != null) ? Long.parseLong(visits) : 0;
	}

	/**
	 * The Redis key of a page's counter.
	 * @param page the page
	 * @return the key
	 */
	public static String key(String page) {
		return "visits:" + page;
	}

}

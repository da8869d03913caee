package com.example.visits;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A small application that counts page visits in Redis, standing for any application that
 * uses Redis through Spring Data Redis and the Redis Governor starter.
 */
@SpringBootApplication
public class VisitsApplication {

	/**
	 * Runs the application.
	 * @param args command-line arguments
	 */
	public static void main(String[] args) {
		SpringApplication.run(VisitsApplication.class, args);
	}

}

.PHONY: demo test lint bench
demo:
	./run.sh demo
test:
	./run.sh test
lint:
	./run.sh lint
bench:
	./run.sh bench
